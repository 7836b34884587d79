"""The servers of one load configuration: N `hrbot run` processes of the HR bot in one project
copy, sharing the tracker store, lock store and event broker that endpoints.yml names, plus the
stub action server; and the clean-up of what a configuration left in PostgreSQL, Redis and
RabbitMQ (each configuration has a schema, key prefix, queue and exchange of its own).

The processes are started as users start them (`python -m hrbot.cli.main run --endpoints ...
--port P --trust-sender`, uvicorn with its access log), with one BLAS thread each. The first
process starts alone: it creates the database schema, which processes starting together on a
fresh database do not do reliably yet (the console's tables are created check-then-create).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from common import child_env
from loadgen import free_port

HERE = Path(__file__).resolve().parent
STARTUP_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Services:
    """The real services (URLs as in tests/stores: $HRBOT_TEST_POSTGRES_URL, ...)."""

    postgres: str = os.environ.get("HRBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    redis: str = os.environ.get("HRBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    rabbitmq: str = os.environ.get("HRBOT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


@dataclass(frozen=True)
class Setup:
    """One configuration: `processes` hrbot processes on `store` ("sqlite" or "postgresql"),
    with the Redis lock store (PostgreSQL only) and with or without RabbitMQ."""

    store: str
    processes: int
    broker: bool = False

    @property
    def key(self) -> str:
        return f"{self.store}{'+rabbitmq' if self.broker else ''}-{self.processes}"

    @property
    def label(self) -> str:
        stores = "SQLite" if self.store == "sqlite" else "PostgreSQL + Redis"
        return f"{stores}{' + RabbitMQ' if self.broker else ''}, {self.processes} process" + (
            "es" if self.processes > 1 else "")


@dataclass
class Running:
    """The processes of a configuration while it runs."""

    setup: Setup
    project: Path
    processes: list[subprocess.Popen[bytes]]
    ports: list[int]
    names: dict[str, str]
    ready_s: list[float] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    @property
    def pids(self) -> list[int]:
        return [python_pid(process) for process in self.processes]


def endpoints_text(setup: Setup, services: Services, names: dict[str, str], action_url: str) -> str:
    """endpoints.yml of a configuration."""
    text = f'action_endpoint:\n  url: "{action_url}"\n'
    if setup.store == "sqlite":
        return text  # hrbot's default: hrbot.db in the project folder, locks in memory
    text += (f'tracker_store:\n  type: sql\n  url: "{services.postgres}"\n  schema: {names["schema"]}\n'
             f'lock_store:\n  type: redis\n  url: "{services.redis}"\n  key_prefix: {names["prefix"]}\n')
    if setup.broker:
        text += (f'event_broker:\n  type: pika\n  url: "{services.rabbitmq}"\n  queues: [{names["queue"]}]\n'
                 f'  exchange_name: {names["exchange"]}\n  buffer_folder: event_buffer\n')
    return text


def start_process(project: Path, endpoints: Path, port: int, log_name: str,
                  profile_to: Path | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "hrbot.cli.main", "run", "--endpoints", str(endpoints),
               "--port", str(port), "--trust-sender"]
    if profile_to is not None:
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        # --gil: only the thread holding the GIL, i.e. Python code running; waits for the
        # database or the network in C (GIL released) are not counted
        command = [spy, "record", "--gil", "--format", "raw", "--rate", "200", "--output", str(profile_to),
                   "--", *command]
    with (project / log_name).open("ab") as log:
        return subprocess.Popen(command, cwd=project, env=child_env(), stdout=log, stderr=subprocess.STDOUT)


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"hrbot exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(f"{url}/status", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"hrbot did not answer /status within {STARTUP_TIMEOUT_S} s; see {log}")


def start(setup: Setup, project: Path, services: Services, action_url: str,
          profile_to: Path | None = None) -> Running:
    """Start the configuration's processes in `project` (a folder with the trained model)."""
    run = uuid.uuid4().hex[:8]
    names = {"schema": f"hrbot_load_{run}", "prefix": f"hrbot_load_{run}",
             "queue": f"hrbot_load_{run}", "exchange": f"hrbot_load_ex_{run}"}
    for leftover in ("hrbot.db", "hrbot.db-wal", "hrbot.db-shm"):
        (project / leftover).unlink(missing_ok=True)
    shutil.rmtree(project / "event_buffer", ignore_errors=True)
    endpoints = project / f"endpoints-{setup.key}.yml"
    endpoints.write_text(endpoints_text(setup, services, names, action_url), encoding="utf-8")
    ports = [free_port() for _ in range(setup.processes)]
    running = Running(setup, project, [], ports, names)
    try:
        # the first process alone (it creates the schema), then the others side by side
        for group in (ports[:1], ports[1:]):
            started = time.perf_counter()
            first = len(running.processes)
            for number, port in enumerate(group, start=first):
                profile = profile_to if number == 0 else None
                running.processes.append(
                    start_process(project, endpoints, port, f"server-{setup.key}-{number}.log", profile))
            for number in range(first, len(running.processes)):
                wait_ready(running.processes[number], running.urls[number],
                           project / f"server-{setup.key}-{number}.log")
                running.ready_s.append(round(time.perf_counter() - started, 2))
    except BaseException:
        stop(running, services)
        raise
    return running


def python_pid(process: subprocess.Popen[bytes]) -> int:
    """The pid of the hrbot interpreter: the process itself, or its child when it is py-spy."""
    if Path(process.args[0]).name != "py-spy":  # type: ignore[index]
        return process.pid
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        children = (task / "children").read_text().split()
        if children:
            return int(children[0])
    raise RuntimeError("py-spy has not started hrbot")


def stop(running: Running, services: Services) -> list[str]:
    """Stop the processes (SIGINT, as Ctrl+C), remove what the configuration left in the
    services; the log lines that mention a problem."""
    for process in running.processes:
        if process.poll() is None:
            os.kill(python_pid(process), signal.SIGINT)  # py-spy writes its profile when hrbot ends
    for process in running.processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    problems: list[str] = []
    for log in sorted(running.project.glob(f"server-{running.setup.key}-*.log")):
        problems += [line for line in log.read_text(errors="replace").splitlines()
                     if any(word in line for word in ("ERROR", "WARNING", "Traceback"))]
    if running.setup.store != "sqlite":
        remove_traces(running.names, services, broker=running.setup.broker)
    return problems[:20]


def remove_traces(names: dict[str, str], services: Services, *, broker: bool) -> None:
    import redis
    import sqlalchemy as sa

    engine = sa.create_engine(services.postgres.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{names["schema"]}" CASCADE'))
    finally:
        engine.dispose()
    client = redis.Redis.from_url(services.redis)
    try:
        keys = list(client.scan_iter(match=f"{names['prefix']}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
    if broker:
        asyncio.run(_delete_queue(services.rabbitmq, names["queue"], names["exchange"]))


async def _delete_queue(url: str, queue: str, exchange: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


def queue_depth(services: Services, queue: str) -> int | None:
    """How many messages wait in `queue` (None when it cannot be read)."""
    async def depth() -> int:
        import aio_pika

        connection = await aio_pika.connect(services.rabbitmq)
        async with connection:
            channel = await connection.channel()
            declared: Any = await channel.declare_queue(queue, passive=True)
            return int(declared.declaration_result.message_count or 0)

    try:
        return asyncio.run(depth())
    except Exception:
        return None


class StubActionServer:
    """stub_actions.py in a child process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "stub_actions.py"), "--port", str(self.port)], env=child_env(),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the stub action server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
