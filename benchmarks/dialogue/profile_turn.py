"""Where the time of one REST turn goes, measured in-process on the same wiring `hrbot run` uses.

The assistant is opened with `open_assistant` (SQLite `hrbot.db` in a temporary folder, as the
server does), then the processor's collaborators are wrapped in timers: the conversation lock,
loading the tracker (SQL query; the overhead of `SQLDatabase.run` around it, which is the hop
to and from a worker thread when hrbot runs statements there; decoding the events; replaying
or updating the tracker), NLU parse, slot extraction, policy prediction, the other
actions (responses), saving the new events (encoding, SQL) and the review log. Each section
counts its own time only (nested sections are subtracted), so the sections and "processor,
other" (logging events on the tracker, session checks, turn bookkeeping) add up to the turn.

Five measurements:
  breakdown   the same mix of senders and messages as the sequential load phase
  growth      one conversation of many turns: how the cost grows with the conversation
  concurrent  1, 8 and 32 conversations at once in this process, with SQLite as hrbot runs
              it, with SQLite run the other way (a what-if, `database.run` patched in this
              process: statements on the event-loop thread if hrbot uses worker threads, in
              worker threads if hrbot runs them inline), and with the memory tracker store:
              what the processor alone sustains, and how long SQL statements take when
              several threads write to one SQLite file
  ASGI        the same kind of turns posted to the webhook by calling the Starlette app
              directly (no socket, no uvicorn), against handle_message alone
  cProfile    the functions the turns spend their time in (results/profile.txt)

Run alone: python benchmarks/dialogue/profile_turn.py MODEL.tar.gz [--turns N]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from common import SEED, Progress, conversations, message_pool, percentile, projects

T = TypeVar("T")

SECTIONS = (
    "lock", "SQL query (retrieve)", "run overhead (retrieve)", "decode events", "tracker replay",
    "NLU parse", "slot extraction", "policies predict", "actions (responses)",
    "encode events", "SQL insert (append)", "run overhead (append)", "review log", "processor, other",
)


class SectionTimer:
    """Exclusive wall time per named section; nested sections are subtracted from their parent."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[list[float]] = []  # [started, time spent in children]

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        frame = [time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[0]
            self.totals[name] += elapsed - frame[1]
            if self._stack:
                self._stack[-1][1] += elapsed

    def add(self, name: str, seconds: float) -> None:
        """Time measured elsewhere (in a worker thread) that belongs to the current section."""
        self.totals[name] += seconds
        if self._stack:
            self._stack[-1][1] += seconds

    def take(self) -> dict[str, float]:
        found = dict(self.totals)
        self.totals.clear()
        return found


# ---------------------------------------------------------------------------- instrumentation


def instrument(processor: Any, timer: SectionTimer) -> None:
    """Wrap the processor's collaborators (all public attributes) in timers; src is unchanged."""
    from hrbot.actions.base import Action, ActionRuntime
    from hrbot.shared.core.tracker import DialogueStateTracker

    nlu, policies, actions, store, locks = (processor.nlu, processor.policies, processor.actions,
                                           processor.store, processor.locks)
    review = processor.review
    database: Any = getattr(store, "database", None)  # None for the memory tracker store
    current_op = ["retrieve"]

    class TimedNLU:
        def parse(self, text: str, reference_time: datetime) -> Any:
            with timer.section("NLU parse"):
                return nlu.parse(text, reference_time)

    class TimedPolicies:
        def predict(self, tracker: DialogueStateTracker, domain: Any) -> Any:
            with timer.section("policies predict"):
                return policies.predict(tracker, domain)

    class TimedAction(Action):
        def __init__(self, inner: Action) -> None:
            self.inner = inner

        @property
        def name(self) -> str:
            return self.inner.name

        async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Any]:
            label = "slot extraction" if self.inner.name == "action_extract_slots" else "actions (responses)"
            with timer.section(label):
                return await self.inner.run(tracker, runtime)

    def timed_actions(name: str) -> Action:
        return TimedAction(actions(name))

    class TimedStore:
        """Every store method timed: reads (retrieve, retrieve_after, ...) count as decoding,
        writes (append) as encoding; the SQL inside is taken out by `timed_run`."""

        def __getattr__(self, name: str) -> Any:
            method = getattr(store, name)
            if not asyncio.iscoroutinefunction(method):
                return method
            op = "append" if name.startswith("append") else "retrieve"

            async def timed(*args: Any, **kwargs: Any) -> Any:
                current_op[0] = op
                with timer.section("encode events" if op == "append" else "decode events"):
                    return await method(*args, **kwargs)

            return timed

    # `database.run` is called as hrbot implements it (a worker thread, or inline for SQLite);
    # the statement's own time is measured around `run_sync`, the rest is the hop.
    original_run = database.run if database is not None else None
    original_run_sync = database.run_sync if database is not None else None
    statement = [0.0]

    def timed_run_sync(work: Callable[[Any], T]) -> T:
        started = time.perf_counter()
        try:
            return original_run_sync(work)  # type: ignore[misc, no-any-return]
        finally:
            statement[0] = time.perf_counter() - started

    async def timed_run(work: Callable[[Any], T]) -> T:
        started = time.perf_counter()
        result: T = await original_run(work)  # type: ignore[misc]
        total = time.perf_counter() - started
        spent = statement[0]
        op = current_op[0]
        if op == "review":  # the review log shares the database: its SQL counts as review log
            timer.add("review log", total)
        else:
            timer.add("SQL query (retrieve)" if op == "retrieve" else "SQL insert (append)", spent)
            timer.add(f"run overhead ({op})", total - spent)
        return result

    class TimedLocks:
        def lock(self, sender_id: str) -> AbstractAsyncContextManager[Any]:
            @asynccontextmanager
            async def held() -> AsyncIterator[None]:
                manager = locks.lock(sender_id)
                with timer.section("lock"):
                    await manager.__aenter__()
                try:
                    yield
                finally:
                    with timer.section("lock"):
                        await manager.__aexit__(None, None, None)
            return held()

    async def timed_review(entry: Any) -> None:
        current_op[0] = "review"
        with timer.section("review log"):
            await review(entry)

    # The processor may keep recent trackers and only bring them up to date
    # (`_tracker_for_turn`); whichever way it gets the turn's tracker is timed.
    tracker_method = "_tracker_for_turn" if hasattr(processor, "_tracker_for_turn") else "tracker"
    load_tracker = getattr(processor, tracker_method)

    async def timed_tracker(sender_id: str) -> DialogueStateTracker:
        with timer.section("tracker replay"):
            return await load_tracker(sender_id)  # type: ignore[no-any-return]

    processor.nlu = TimedNLU()
    processor.policies = TimedPolicies()
    processor.actions = timed_actions
    processor.store = TimedStore()
    processor.locks = TimedLocks()
    processor.review = timed_review
    setattr(processor, tracker_method, timed_tracker)
    if database is not None:
        database.run_sync = timed_run_sync
        database.run = timed_run


# ---------------------------------------------------------------------------- measurements


def open_processor(archive: Path, folder: Path, *, memory_store: bool = False) -> tuple[Any, Any]:
    """The model loaded and wired exactly as `hrbot run` wires it: default endpoints (SQLite
    `hrbot.db` in `folder`), or with `memory_store` endpoints.yml's `tracker_store: {type: memory}`."""
    from hrbot.assistant import open_assistant
    from hrbot.cli.commands.common import reference_clock
    from hrbot.model.loading import load_model
    from hrbot.shared.endpoints import read_endpoints

    endpoints_file = None
    if memory_store:
        endpoints_file = folder / "endpoints.yml"
        endpoints_file.write_text("tracker_store:\n  type: memory\n", encoding="utf-8")
    model = load_model(archive)
    assistant = open_assistant(model, folder, read_endpoints(endpoints_file), reference_clock(None))
    assert assistant.processor is not None, "the model has no dialogue part"
    return assistant, assistant.processor


async def _turns(processor: Any, schedule: Sequence[tuple[str, str]], timer: SectionTimer | None,
                 ) -> list[tuple[float, dict[str, float]]]:
    from hrbot.dialogue.messages import UserMessage

    out = []
    for sender, text in schedule:
        started = time.perf_counter()
        await processor.handle_message(UserMessage(text, sender, "rest"))
        total = time.perf_counter() - started
        sections = timer.take() if timer else {}
        if timer:
            sections["processor, other"] = total - sum(sections.values())
        out.append((total, sections))
    return out


def _aggregate(turns: list[tuple[float, dict[str, float]]]) -> dict[str, Any]:
    totals = [t for t, _ in turns]
    sections = {
        name: {
            "mean_ms": round(1000 * statistics.fmean(s.get(name, 0.0) for _, s in turns), 4),
            "p50_ms": round(1000 * percentile([s.get(name, 0.0) for _, s in turns], 50), 4),
        }
        for name in SECTIONS
    }
    mean_total = statistics.fmean(totals)
    for values in sections.values():
        values["share"] = round(values["mean_ms"] / (1000 * mean_total), 4)
    return {
        "turns": len(turns),
        "turn_mean_ms": round(1000 * mean_total, 3),
        "turn_p50_ms": round(1000 * percentile(totals, 50), 3),
        "turn_p99_ms": round(1000 * percentile(totals, 99), 3),
        "sections": sections,
    }


async def _profile(archive: Path, pool: Sequence[str], turns: int, growth_turns: int, warmup: int,
                   progress: Progress, profile_out: Path | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hrbot-profile-") as folder:
        assistant, processor = open_processor(archive, Path(folder))
        results["sql_mode"] = await sql_mode(processor.store.database)
        timer = SectionTimer()
        instrument(processor, timer)
        await _turns(processor, conversations(pool, senders=[f"w{i}" for i in range(50)],
                                              messages=warmup, seed=SEED), timer)
        senders = [f"p{i:04d}" for i in range(200)]
        schedule = conversations(pool, senders=senders, messages=turns, seed=SEED + 1)
        results["breakdown"] = _aggregate(await _turns(processor, schedule, timer))
        progress(f"  breakdown over {turns} turns: mean {results['breakdown']['turn_mean_ms']} ms/turn")
        long_one = [("long", text) for _, text in
                    conversations(pool, senders=["long"], messages=growth_turns, seed=SEED + 2)]
        growth = await _turns(processor, long_one, timer)
        buckets = []
        step = max(1, growth_turns // 6)
        for start in range(0, growth_turns, step):
            chunk = growth[start:start + step]
            if chunk:
                buckets.append({**_aggregate(chunk), "range": f"{start + 1}-{start + len(chunk)}"})
        results["growth"] = buckets
        progress(f"  one conversation of {growth_turns} turns: "
                 + ", ".join(f"turns {b['range']} {b['turn_mean_ms']} ms" for b in buckets))
        await assistant.close()
    with tempfile.TemporaryDirectory(prefix="hrbot-profile-memory-") as folder:
        assistant, processor = open_processor(archive, Path(folder), memory_store=True)
        instrument(processor, timer)
        await _turns(processor, conversations(pool, senders=[f"w{i}" for i in range(50)],
                                              messages=warmup, seed=SEED), timer)
        results["breakdown_memory_store"] = _aggregate(await _turns(processor, schedule, timer))
        progress(f"  the same {turns} turns with the memory tracker store: "
                 f"mean {results['breakdown_memory_store']['turn_mean_ms']} ms/turn")
        await assistant.close()
    results["asgi"] = await _asgi_overhead(archive, pool, turns)
    asgi = results["asgi"]
    progress(f"  webhook through the ASGI app (no socket): mean {asgi['asgi_mean_ms']} ms, p50 "
             f"{asgi['asgi_p50_ms']} ms; handle_message alone: mean {asgi['handle_message_mean_ms']} ms, "
             f"p50 {asgi['handle_message_p50_ms']} ms")
    if profile_out is not None:
        results["cprofile"] = await _cprofile(archive, pool, turns // 2, profile_out)
        progress(f"  cProfile of {turns // 2} turns written to {profile_out}")
    return results


async def _asgi_requests(app: Any, schedule: Sequence[tuple[str, str]]) -> list[float]:
    """Each (sender, text) posted to the webhook by calling the ASGI app directly: Starlette,
    the route, JSON in and out, no socket and no uvicorn. Seconds per request."""
    timings = []
    for sender, text in schedule:
        body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/webhooks/rest/webhook", "raw_path": b"/webhooks/rest/webhook",
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 5005),
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
        sent: list[dict[str, Any]] = []

        async def receive(body: bytes = body) -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any], sent: list[dict[str, Any]] = sent) -> None:
            sent.append(message)

        started = time.perf_counter()
        await app(scope, receive, send)
        timings.append(time.perf_counter() - started)
        status = sent[0].get("status") if sent else None
        if status != 200:
            raise RuntimeError(f"the webhook answered {status} to {text!r}")
    return timings


async def _asgi_overhead(archive: Path, pool: Sequence[str], turns: int) -> dict[str, Any]:
    """Ms per message through the ASGI app against `handle_message` alone, alternating blocks
    of 10 messages of the same schedule, so both see the same kind of conversations."""
    from hrbot.api.common import ServerState
    from hrbot.cli.commands.common import reference_clock
    from hrbot.dialogue.messages import UserMessage
    from hrbot.server import create_app

    with tempfile.TemporaryDirectory(prefix="hrbot-asgi-") as folder:
        assistant, processor = open_processor(archive, Path(folder))
        app = create_app(ServerState(assistant.model, reference_clock(None), None, assistant))
        schedule = conversations(pool, senders=[f"a{i:04d}" for i in range(200)], messages=turns + 200,
                                 seed=SEED + 4)
        await _asgi_requests(app, schedule[:200])
        through_app: list[float] = []
        direct: list[float] = []
        for start in range(200, len(schedule), 10):
            block = schedule[start:start + 10]
            if (start // 10) % 2:
                through_app += await _asgi_requests(app, [(f"x{s}", t) for s, t in block])
            else:
                for sender, text in block:
                    began = time.perf_counter()
                    await processor.handle_message(UserMessage(text, f"x{sender}", "rest"))
                    direct.append(time.perf_counter() - began)
        await assistant.close()
    app_ms = 1000 * statistics.fmean(through_app)
    direct_ms = 1000 * statistics.fmean(direct)
    app_p50 = 1000 * percentile(through_app, 50)
    direct_p50 = 1000 * percentile(direct, 50)
    return {"requests": len(through_app), "asgi_mean_ms": round(app_ms, 3),
            "handle_message_mean_ms": round(direct_ms, 3), "overhead_ms": round(app_ms - direct_ms, 3),
            "asgi_p50_ms": round(app_p50, 3), "handle_message_p50_ms": round(direct_p50, 3),
            "overhead_p50_ms": round(app_p50 - direct_p50, 3)}


async def _cprofile(archive: Path, pool: Sequence[str], turns: int, out: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hrbot-cprofile-") as folder:
        assistant, processor = open_processor(archive, Path(folder))
        senders = [f"c{i:04d}" for i in range(100)]
        await _turns(processor, conversations(pool, senders=senders, messages=200, seed=SEED), None)
        schedule = conversations(pool, senders=senders, messages=turns, seed=SEED + 3)
        profiler = cProfile.Profile()
        profiler.enable()
        await _turns(processor, schedule, None)
        profiler.disable()
        await assistant.close()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"cProfile of {turns} turns of processor.handle_message (in-process, SQLite, after "
               "200 warm-up turns). Only the event-loop thread is profiled: SQL statements that "
               "hrbot runs in worker threads are missing here.\n\n== by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(45)
    text.write("\n== by own time\n")
    stats.sort_stats("tottime").print_stats(30)
    out.write_text(text.getvalue(), encoding="utf-8")
    return {"turns": turns, "file": out.name}


STORE_VARIANTS = {
    "sqlite": "SQLite, as hrbot runs it",
    "sqlite-what-if": "SQLite with the other way of running statements (patched in this process): "
                      "on the event-loop thread if hrbot uses worker threads, and the other way round",
    "memory": "memory tracker store (no database)",
}


async def sql_mode(database: Any) -> str:
    """'inline' when `database.run` runs statements on the calling thread, else 'thread'."""
    import sqlalchemy as sa

    threads: list[int] = []
    run_sync = database.run_sync

    def probe(work: Callable[[Any], T]) -> T:
        threads.append(threading.get_ident())
        return run_sync(work)  # type: ignore[no-any-return]

    database.run_sync = probe
    try:
        await database.run(lambda connection: connection.execute(sa.text("SELECT 1")))
    finally:
        del database.run_sync  # back to the class's method
    return "inline" if threads and threads[0] == threading.get_ident() else "thread"


async def _concurrent(archive: Path, pool: Sequence[str], clients: int, turns: int, *,
                      store: str) -> dict[str, Any]:
    """`clients` conversations handled at once in this process (no HTTP), each client with its
    own senders (about 10 turns each): turns per second, CPU use, latency, and how long each
    SQL statement took inside the thread that ran it. `store` is a key of STORE_VARIANTS."""
    from hrbot.dialogue.messages import UserMessage

    with tempfile.TemporaryDirectory(prefix="hrbot-concurrent-") as folder:
        assistant, processor = open_processor(archive, Path(folder), memory_store=store == "memory")
        in_thread: list[float] = []
        database = getattr(processor.store, "database", None)
        mode = None
        if database is not None:
            mode = await sql_mode(database)
            run_sync = database.run_sync

            def timed_run_sync(work: Callable[[Any], T]) -> T:
                started = time.perf_counter()
                try:
                    return run_sync(work)  # type: ignore[no-any-return]
                finally:
                    in_thread.append(time.perf_counter() - started)

            database.run_sync = timed_run_sync
            if store == "sqlite-what-if":
                if mode == "inline":
                    async def other_run(work: Callable[[Any], T]) -> T:
                        return await asyncio.to_thread(timed_run_sync, work)
                else:
                    async def other_run(work: Callable[[Any], T]) -> T:
                        return timed_run_sync(work)

                database.run = other_run
                mode = "thread" if mode == "inline" else "inline"
        await _turns(processor, conversations(pool, senders=[f"w{i}" for i in range(20)], messages=200,
                                              seed=SEED), None)
        in_thread.clear()
        per_client = turns // clients
        latencies: list[float] = []

        async def client(index: int) -> None:
            senders = [f"k{clients}-{index}-{i}" for i in range(max(1, per_client // 10))]
            for sender, text in conversations(pool, senders=senders, messages=per_client, seed=SEED + index):
                started = time.perf_counter()
                await processor.handle_message(UserMessage(text, sender, "rest"))
                latencies.append(time.perf_counter() - started)

        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(client(index) for index in range(clients)))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        await assistant.close()
    found: dict[str, Any] = {
        "clients": clients, "store": store, "sql_mode": mode, "turns": len(latencies),
        "turns_per_s": round(len(latencies) / wall, 1), "cpu_utilisation": round(cpu / wall, 2),
        "cpu_ms_per_turn": round(1000 * cpu / len(latencies), 3),
        "p50_ms": round(1000 * percentile(latencies, 50), 3),
        "p99_ms": round(1000 * percentile(latencies, 99), 3),
        "max_ms": round(1000 * max(latencies), 1),
    }
    if in_thread:
        found["sql_in_thread"] = {
            "statements": len(in_thread), "p50_ms": round(1000 * percentile(in_thread, 50), 3),
            "p99_ms": round(1000 * percentile(in_thread, 99), 3), "max_ms": round(1000 * max(in_thread), 1),
            "total_s": round(sum(in_thread), 2),
        }
    return found


async def _all_concurrent(archive: Path, pool: Sequence[str], turns: int, levels: Sequence[int],
                          progress: Progress) -> list[dict[str, Any]]:
    found = []
    for store in STORE_VARIANTS:
        for clients in levels:
            result = await _concurrent(archive, pool, clients, turns, store=store)
            sql = result.get("sql_in_thread")
            line = (f"  in-process, {clients} clients, {store}: {result['turns_per_s']} turns/s, "
                    f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms")
            if sql:
                line += (f"; SQL statement p50 {sql['p50_ms']} ms, p99 {sql['p99_ms']} ms, "
                         f"max {sql['max_ms']} ms")
            progress(line)
            found.append(result)
    return found


def profile_turns(archive: Path, pool: Sequence[str], *, turns: int, growth_turns: int, warmup: int,
                  progress: Progress, profile_out: Path | None,
                  concurrency: Sequence[int] = (1, 8, 32)) -> dict[str, Any]:
    """Breakdown, growth, in-process concurrency (SQLite and memory store) and, when
    `profile_out` is given, cProfile of in-process turns."""
    found = asyncio.run(_profile(archive, pool, turns, growth_turns, warmup, progress, profile_out))
    if concurrency:
        found["concurrent"] = asyncio.run(_all_concurrent(archive, pool, turns, concurrency, progress))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", type=Path, help="a trained HR bot archive (models/*.tar.gz)")
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--growth-turns", type=int, default=120)
    parser.add_argument("--profile-out", type=Path, default=None)
    args = parser.parse_args(argv)
    pool = message_pool(projects()[0]).texts
    found = profile_turns(args.model, pool, turns=args.turns, growth_turns=args.growth_turns, warmup=200,
                          progress=Progress(), profile_out=args.profile_out)
    print(json.dumps(found, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
