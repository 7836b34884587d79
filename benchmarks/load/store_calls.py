"""What each shared store costs per turn, measured alone against the real services: the Redis
conversation lock (take and release, nobody else waiting), publishing a turn's events to
RabbitMQ with publisher confirms, and the PostgreSQL tracker store's reading of the new events
and appending of a turn's events. Wall time and the CPU time of this process per call.

    python benchmarks/load/store_calls.py              # 2,000 calls each
    python benchmarks/load/store_calls.py --calls 500 --json out.json

Everything it creates (a schema, keys under a prefix, a queue and an exchange) has a name of its
own and is removed at the end. Used to compare hrbot versions: run it with PYTHONPATH pointing
at each version's src/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

POSTGRES = os.environ.get("HRBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("HRBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
RABBITMQ = os.environ.get("HRBOT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def turn_events(number: int) -> list[Any]:
    """The events of one question-and-answer turn, as the processor appends them."""
    from hrbot.shared.core.events import ActionExecuted, BotUttered, UserUttered

    now = time.time()
    ranking = [{"name": f"intent_{i}", "confidence": round(0.9 / (i + 1), 4)} for i in range(10)]
    parse = {"intent": ranking[0], "intent_ranking": ranking,
             "entities": [{"entity": "month", "value": "2026-10", "start": 0, "end": 3,
                           "extractor": "CRFEntityExtractor"}], "text": "上个月工资多少"}
    return [
        UserUttered(timestamp=now, text="上个月工资多少", parse_data=parse, input_channel="rest",
                    message_id=f"m{number}"),
        ActionExecuted(timestamp=now, name="action_salary_query", policy="RulePolicy", confidence=1.0),
        BotUttered(timestamp=now, text="2026年10月实发工资 23,702.87 元(应发 28,500.00 元)。", data={}),
        ActionExecuted(timestamp=now, name="action_listen", policy="RulePolicy", confidence=1.0),
    ]


async def timed(calls: int, work: Callable[[int], Awaitable[None]]) -> dict[str, float]:
    """Mean and median wall time and mean CPU time per call, in microseconds."""
    for number in range(min(100, calls)):  # warm-up: connections, pools, compiled statements
        await work(-1 - number)
    walls = []
    cpu_before = time.process_time()
    for number in range(calls):
        started = time.perf_counter()
        await work(number)
        walls.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu_before
    return {"wall_mean_us": round(1e6 * statistics.fmean(walls), 1),
            "wall_p50_us": round(1e6 * statistics.median(walls), 1),
            "cpu_mean_us": round(1e6 * cpu / calls, 1)}


async def redis_lock(calls: int, prefix: str) -> dict[str, float]:
    from hrbot.shared.endpoints import parse_endpoints
    from hrbot.stores.redis_connection import redis_settings
    from hrbot.stores.redis_locks import RedisLockStore

    config = parse_endpoints(f'lock_store:\n  type: redis\n  url: "{REDIS}"\n  key_prefix: {prefix}\n',
                             environ={}).lock_store
    assert config is not None
    store = RedisLockStore(redis_settings(config))

    async def lock(number: int) -> None:
        async with store.lock(f"user{number % 200}"):
            pass

    try:
        return await timed(calls, lock)
    finally:
        await store.close()


async def broker(calls: int, names: str, folder: Path) -> dict[str, float]:
    import aio_pika

    from hrbot.shared.endpoints import parse_endpoints
    from hrbot.stores.pika_broker import PikaEventBroker, pika_settings
    from hrbot.stores.streaming import event_message

    config = parse_endpoints(
        f'event_broker:\n  type: pika\n  url: "{RABBITMQ}"\n  queues: [{names}]\n  exchange_name: {names}\n'
        f'  buffer_folder: {folder}\n', environ={}).event_broker
    assert config is not None
    publisher = PikaEventBroker(pika_settings(config, folder))
    await publisher.connect()

    async def publish(number: int) -> None:
        sender = f"user{number % 200}"
        await publisher.publish([event_message(sender, event, 0.0) for event in turn_events(number)])

    try:
        return await timed(calls, publish)
    finally:
        await publisher.close()
        connection = await aio_pika.connect(RABBITMQ)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(names)
            await channel.exchange_delete(names)


async def postgres(calls: int, schema: str) -> dict[str, dict[str, float]]:
    import sqlalchemy as sa

    from hrbot.stores.sql import SQLTrackerStore

    store = SQLTrackerStore.from_url(POSTGRES, schema=schema)
    seen: dict[str, int] = {}

    async def append(number: int) -> None:
        await store.append(f"user{number % 200}", turn_events(number))

    async def read_new(number: int) -> None:
        sender = f"user{number % 200}"
        found = await store.retrieve_after(sender, seen.get(sender, 0))
        seen[sender] = seen.get(sender, 0) + len(found)

    try:
        appended = await timed(calls, append)
        read = await timed(calls, read_new)
        return {"append a turn (4 events)": appended, "read the new events": read}
    finally:
        await store.close()
        engine = sa.create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg2://", 1))
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


async def main_async(calls: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    results: dict[str, Any] = {}
    results["Redis lock: take and release"] = await redis_lock(calls, f"hrbot_calls_{run}")
    with tempfile.TemporaryDirectory() as folder:
        published = await broker(calls, f"hrbot_calls_{run}", Path(folder))
    results["RabbitMQ: publish a turn (4 events)"] = published
    results.update({f"PostgreSQL: {name}": figures
                    for name, figures in (await postgres(calls, f"hrbot_calls_{run}")).items()})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args.calls))
    print("| call | wall mean µs | wall p50 µs | CPU mean µs |\n| --- | ---: | ---: | ---: |")
    for name, figures in results.items():
        print(f"| {name} | {figures['wall_mean_us']} | {figures['wall_p50_us']} | {figures['cpu_mean_us']} |")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
