"""Where an hrbot process's CPU time goes under load, from a py-spy recording of it.

py-spy samples, 200 times a second, the stack of the thread that holds the GIL (`--gil`: the
Python code running; a thread waiting for PostgreSQL or a socket in C has released it) and
writes them as collapsed stacks (`--format raw`). Each sample is
given to the first part of a turn (in the order of PARTS) that has a frame in its stack, so the
shares add up to 100 %: a JSON encoder called by the SQL store counts as SQL. Samples of the
start-up (imports, loading the model) are left out. `own_time` lists the functions that were
running (the leaf frames).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# (part, patterns matched against a frame "function (file:line)"), most specific first
PARTS: Sequence[tuple[str, Sequence[str]]] = (
    ("custom action call (tracker to JSON, HTTP to the action server)", (
        "hrbot/actions/remote.py",)),
    ("event broker (aio-pika, publisher confirms)", (
        "hrbot/stores/pika_broker.py", "aio_pika/", "aiormq/", "pamqp/")),
    ("SQL: connection pre-ping", ("_do_ping_w_event", "do_ping (")),
    ("SQL: statements (SQLAlchemy, psycopg2, event JSON)", (
        "hrbot/stores/sql.py", "hrbot/stores/sql_review.py", "sqlalchemy/", "psycopg2/")),
    ("Redis lock (redis-py, Lua scripts)", ("hrbot/stores/redis_locks.py", "hrbot/stores/redis_connection.py",
                                            "redis/")),
    ("NLU parse", ("hrbot/nlu/", "jieba/", "sklearn/", "numpy/", "scipy/", "pycrfsuite")),
    ("policies predict", ("hrbot/dialogue/policies/", "hrbot/dialogue/featur", "hrbot/dialogue/rule")),
    ("responses and built-in actions", ("hrbot/actions/",)),
    ("processor: tracker and events bookkeeping", ("hrbot/dialogue/", "hrbot/shared/core/")),
    ("REST channel and webhook (JSON in and out)", ("hrbot/api/", "hrbot/channels/", "hrbot/server.py")),
    ("HTTP server (uvicorn, Starlette, httptools)", ("uvicorn/", "starlette/", "httptools/", "h11/")),
    ("logging (access log, hrbot logs)", ("logging/",)),
    ("asyncio event loop and threads", ("asyncio/", "uvloop/", "concurrent/futures/", "threading.py")),
)
OTHER = "other"
# Samples of the process starting (imports, loading the model) are not part of serving.
STARTUP = ("_find_and_load", "load_model (", "open_assistant (", "create_app (")
_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")


def read_samples(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LINE.match(line.strip())
        if match:
            samples.append((match["stack"].split(";"), int(match["count"])))
    return samples


def part_of(stack: Sequence[str]) -> str:
    for part, patterns in PARTS:
        if any(pattern in frame for frame in stack for pattern in patterns):
            return part
    return OTHER


def _short(frame: str) -> str:
    """'encode (json/encoder.py:200)' -> 'encode (json/encoder.py)' with the path shortened."""
    match = re.match(r"^(?P<function>.*) \((?P<file>.*?)(:\d+)?\)$", frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "/src/", "/lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == "/lib/python3.":
                path = path.split("/", 1)[-1]
            break
    return f"{match['function']} ({path})"


def analyse(path: Path, messages: int, *, top: int = 25) -> dict[str, Any]:
    """The shares of each part of a turn and the functions with the most own time."""
    samples = [(stack, count) for stack, count in read_samples(path)
               if not any(marker in frame for frame in stack for marker in STARTUP)]
    total = sum(count for _, count in samples)
    parts: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for stack, count in samples:
        parts[part_of(stack)] += count
        own[_short(stack[-1])] += count

    def share(count: int) -> float:
        return round(100 * count / total, 1) if total else 0.0

    return {
        "samples": total,
        "messages": messages,
        "samples_per_message": round(total / messages, 2) if messages else None,
        "parts": [{"part": part, "samples": count, "percent": share(count)}
                  for part, count in parts.most_common()],
        "own_time": [{"function": function, "samples": count, "percent": share(count)}
                     for function, count in own.most_common(top)],
    }
