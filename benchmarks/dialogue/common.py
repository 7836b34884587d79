"""Shared pieces of the dialogue benchmark: paths, the projects measured, the messages sent to
them, progress output, percentiles and machine information.

Nothing here changes hrbot. The git revision is read from `.git` files directly (no git
command is run), so the benchmark also works from an unpacked source tree.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SRC = REPO / "src"
RESULTS = HERE / "results"
CONTRACT = REPO.parent / "shared" / "contracts" / "intents.yml"
FIXTURES = REPO / "tests" / "fixtures" / "rasa_projects"
SEED = 2026

# hrbot is imported from the checkout (src layout) unless it is installed.
try:
    import hrbot  # noqa: F401
except ImportError:  # pragma: no cover - depends on how the script is started
    sys.path.insert(0, str(SRC))

# Intents left out of the load: `human_handoff` pauses the conversation (the bot then stays
# silent, by design), and intents no rule or story answers on their own (`affirm`, `deny`,
# `inform` in the HR bot) are not what users send out of the blue.
LOAD_EXCLUDED_INTENTS = frozenset({"human_handoff"})


@dataclass(frozen=True)
class Project:
    """A Rasa project measured here: `name`, its folder, and whether it is served under load."""

    name: str
    path: Path
    served: bool = False


def projects() -> list[Project]:
    """The HR bot (the repository root) and the fixture projects, in that order."""
    found = [Project("hr", REPO, served=True)]
    for name in ("moodbot", "formbot", "checkpoints"):
        found.append(Project(name, FIXTURES / name, served=name == "moodbot"))
    return found


# ---------------------------------------------------------------------------- progress


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- messages


def answered_intents(project_dir: Path) -> set[str] | None:
    """Intents that a rule answers directly (`- intent: x` then `- action: ...`), or None when
    the project has stories (then every intent leads somewhere)."""
    from hrbot.shared.core.stories import ActionStep, UserStep, read_stories

    data = read_stories([project_dir / "data"])
    if data.stories:
        return None
    answered: set[str] = set()
    for rule in data.rules:
        steps = rule.steps
        if (not rule.condition and len(steps) >= 2 and isinstance(steps[0], UserStep)
                and steps[0].intent and isinstance(steps[1], ActionStep)):
            answered.add(steps[0].intent)
    return answered


def contract_examples(intents: set[str]) -> list[tuple[str, str]]:
    """(intent, text) examples of the shared intent contract, for the intents given."""
    if not CONTRACT.exists():
        return []
    import yaml

    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for intent, spec in (contract.get("intents") or {}).items():
        if intent in intents and isinstance(spec, dict):
            found.extend((intent, str(text)) for text in spec.get("examples") or [])
    return found


@dataclass(frozen=True)
class MessagePool:
    """The texts sent to a served project, and which intents they were taken from."""

    texts: tuple[str, ...]
    intents: tuple[str, ...]
    excluded: tuple[str, ...]
    from_contract: int


def message_pool(project: Project) -> MessagePool:
    """Training texts of the intents the bot answers on their own, plus (for the HR bot) the
    contract's examples; user messages as they are written, entities and all."""
    from hrbot.shared.nlu.rasa_yaml import load_nlu_data

    data = load_nlu_data([project.path / "data"])
    answered = answered_intents(project.path)
    usable = {
        intent for intent in data.intents
        if intent not in LOAD_EXCLUDED_INTENTS and (answered is None or intent in answered)
    }
    pairs = [(example.intent, example.text) for example in data.examples if example.intent in usable]
    contract = contract_examples(usable) if project.name == "hr" else []
    texts = sorted({text for _, text in pairs + contract})
    excluded = sorted(set(data.intents) - usable)
    return MessagePool(tuple(texts), tuple(sorted(usable)), tuple(excluded), len(contract))


def conversations(
    pool: Sequence[str], *, senders: Sequence[str], messages: int, seed: int
) -> list[tuple[str, str]]:
    """`messages` (sender, text) pairs: the senders take turns in random order (so every
    conversation grows as the run goes on), each turn a random text of the pool."""
    rng = random.Random(seed)
    order = [senders[i % len(senders)] for i in range(messages)]
    rng.shuffle(order)
    return [(sender, rng.choice(pool)) for sender in order]


# ---------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3) if ms else math.nan,
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else math.nan,
    }


# ---------------------------------------------------------------------------- machine


def child_env() -> dict[str, str]:
    """The environment of processes the benchmark starts: hrbot from src, one BLAS thread."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    from importlib.metadata import PackageNotFoundError, version

    packages: dict[str, str | None] = {}
    for name in ("hrbot", "uvicorn", "starlette", "httpx", "SQLAlchemy", "uvloop", "httptools",
                 "numpy", "scikit-learn", "jieba", "matplotlib"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    info["packages"] = packages
    return info


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_revision() -> str | None:
    """The checked-out commit, read from .git (HEAD, the branch ref or packed-refs)."""
    git = REPO / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:7]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:7]
    except OSError:
        return None
    return None
