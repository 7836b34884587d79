"""The REST load test: one real `hrbot run` process, SQLite tracker store, loopback HTTP.

The project is copied to a temporary folder with its trained model, and the server is started
there as users start it (`python -m hrbot.cli.main run --port P`, default endpoints, so
conversations go to `hrbot.db` in that folder). The action endpoint is removed from the copy's
endpoints.yml: none of the messages sent reach a custom action, so no action server runs and
no action-server time is included.

Phases, all over keep-alive connections of one `httpx.AsyncClient`:
  warm-up     messages not counted (imports, caches, the first SQLite pages)
  HTTP floor  sequential `GET /version`: the HTTP stack alone, no dialogue work
  sequential  one request at a time, from many senders in random order
  concurrent  a bounded number of clients, each with its own senders and one request in
              flight; throughput is messages completed / wall time of the phase

Every answer must be HTTP 200 with a JSON list; anything else counts as an error. The server's
CPU time (utime + stime from /proc, all threads) and its resident memory are read from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from common import SEED, Progress, Project, child_env, conversations, latency_summary, load_average

STARTUP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0
WEBHOOK = "/webhooks/rest/webhook"


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of `pid` in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return found


def cpu_times(pid: int) -> tuple[float, float]:
    """(utime, stime) of `pid` (every thread), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def prepare_project(project: Project, archive: Path, folder: Path) -> Path:
    """A copy of the project's files the server needs, with `archive` as its only model and
    no action endpoint (nothing sent here runs a custom action)."""
    target = folder / project.name
    target.mkdir(parents=True)
    for name in ("config.yml", "domain.yml", "data", "demo", "domain"):
        source = project.path / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copyfile(source, target / name)
    (target / "models").mkdir()
    shutil.copyfile(archive, target / "models" / archive.name)
    (target / "endpoints.yml").write_text(
        "# benchmark copy: default stores (SQLite hrbot.db here), no action server\n", encoding="utf-8"
    )
    return target


@dataclass
class Server:
    """A running `hrbot run` subprocess."""

    process: subprocess.Popen[bytes]
    port: int
    folder: Path
    log: Path
    ready_s: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(project_dir: Path, progress: Progress) -> Server:
    """Start `hrbot run` in `project_dir` and wait until /status answers."""
    port = free_port()
    log = project_dir / "server.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hrbot.cli.main", "run", "--port", str(port)],
            cwd=project_dir, env=child_env(), stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(process, port, project_dir, log, 0.0)
    deadline = started + STARTUP_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/status", timeout=1.0).status_code == 200:
                server.ready_s = time.perf_counter() - started
                progress(f"  server ready on port {port} after {server.ready_s:.2f} s (pid {process.pid})")
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"the server did not answer /status within {STARTUP_TIMEOUT_S} s; see {log}")


# ---------------------------------------------------------------------------- the clients


@dataclass
class PhaseResult:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    empty_replies: int = 0
    bot_messages: int = 0
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    server_system_s: float = 0.0
    client_cpu_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        sent = len(self.latencies) + len(self.errors)
        cpu = self.server_cpu_s
        done = len(self.latencies)
        return {
            "messages": sent,
            "errors": len(self.errors),
            "error_examples": self.errors[:5],
            "empty_replies": self.empty_replies,
            "bot_messages_per_reply": round(self.bot_messages / done, 2) if done else None,
            **latency_summary(self.latencies),
            "wall_s": round(self.wall_s, 3),
            "messages_per_s": round(done / self.wall_s, 1) if self.wall_s else None,
            "server_cpu_s": round(self.server_cpu_s, 3),
            "server_cpu_ms_per_message": round(1000 * self.server_cpu_s / done, 3) if done else None,
            "server_cpu_utilisation": round(self.server_cpu_s / self.wall_s, 2) if self.wall_s else None,
            "server_system_share": round(self.server_system_s / cpu, 2) if cpu else None,
            "client_cpu_utilisation": round(self.client_cpu_s / self.wall_s, 2) if self.wall_s else None,
        }


async def _send(client: httpx.AsyncClient, sender: str, text: str, result: PhaseResult) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(WEBHOOK, json={"sender": sender, "message": text})
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as error:
        cause = error.__cause__ or error.__context__
        when = time.strftime("%H:%M:%S")
        result.errors.append(f"{when} {type(error).__name__}: {error!r} (cause: {cause!r})")
        return
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or not isinstance(body, list):
        result.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
        return
    result.latencies.append(elapsed)
    result.bot_messages += len(body)
    if not body:
        result.empty_replies += 1


def _client(base_url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT_S)


async def _run_phase(server: Server, schedules: Sequence[Sequence[tuple[str, str]]]) -> PhaseResult:
    """One worker per schedule, each sending its messages one after the other."""
    result = PhaseResult()
    async with _client(server.url, len(schedules)) as client:
        async def worker(schedule: Sequence[tuple[str, str]]) -> None:
            for sender, text in schedule:
                await _send(client, sender, text, result)

        user_before, system_before = cpu_times(server.process.pid)
        client_before = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(worker(schedule) for schedule in schedules))
        result.wall_s = time.perf_counter() - started
        result.client_cpu_s = time.process_time() - client_before
        user, system = cpu_times(server.process.pid)
        result.server_system_s = system - system_before
        result.server_cpu_s = user - user_before + result.server_system_s
    return result


async def _http_floor(server: Server, requests: int) -> dict[str, Any]:
    """Sequential `GET /version` round trips: uvicorn, Starlette and the client without any
    dialogue work, the floor under every webhook round trip."""
    latencies = []
    async with _client(server.url, 1) as client:
        user_before, system_before = cpu_times(server.process.pid)
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.get("/version")
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)
        user, system = cpu_times(server.process.pid)
    cpu = user - user_before + system - system_before
    return {"requests": requests, **latency_summary(latencies),
            "server_cpu_ms_per_request": round(1000 * cpu / requests, 3)}


def sequential_schedule(pool: Sequence[str], prefix: str, messages: int, senders: int,
                        seed: int) -> list[tuple[str, str]]:
    names = [f"{prefix}-{i:04d}" for i in range(senders)]
    return conversations(pool, senders=names, messages=messages, seed=seed)


def concurrent_schedules(pool: Sequence[str], prefix: str, messages: int, clients: int,
                         senders_per_client: int, seed: int) -> list[list[tuple[str, str]]]:
    """`clients` schedules with disjoint senders: a user never has two messages in flight."""
    per_client = messages // clients
    return [
        sequential_schedule(pool, f"{prefix}-c{c:02d}", per_client, senders_per_client, seed + c)
        for c in range(clients)
    ]


@dataclass(frozen=True)
class LoadPlan:
    warmup: int = 300
    sequential: int = 2000
    sequential_senders: int = 200
    concurrent: int = 4000
    concurrency: tuple[int, ...] = (8, 32)
    senders_per_client: int = 25
    floor_requests: int = 1000


def run_load(project: Project, archive: Path, pool: Sequence[str], plan: LoadPlan,
             progress: Progress) -> dict[str, Any]:
    """Start the server for `project`, run every phase, stop it; the figures of each phase."""
    folder = Path(tempfile.mkdtemp(prefix=f"hrbot-load-{project.name}-"))
    project_dir = prepare_project(project, archive, folder)
    server = start_server(project_dir, progress)
    figures: dict[str, Any] = {"ready_s": round(server.ready_s, 3), "pid": server.process.pid}
    latencies: dict[str, list[float]] = {}
    try:
        figures["memory_after_start_mb"] = proc_status(server.process.pid)
        warm = sequential_schedule(pool, "warm", plan.warmup, 50, SEED)
        result = asyncio.run(_run_phase(server, [warm]))
        progress(f"  warm-up: {plan.warmup} messages, {len(result.errors)} errors")
        figures["warmup"] = result.summary()
        figures["http_floor"] = asyncio.run(_http_floor(server, plan.floor_requests))
        progress(f"  GET /version: p50 {figures['http_floor']['p50_ms']} ms, "
                 f"p99 {figures['http_floor']['p99_ms']} ms")
        figures["load_average_before"] = load_average()
        schedule = sequential_schedule(pool, "seq", plan.sequential, plan.sequential_senders, SEED + 1)
        result = asyncio.run(_run_phase(server, [schedule]))
        figures["sequential"] = result.summary()
        latencies["sequential"] = result.latencies
        progress(_line("sequential", figures["sequential"]))
        for clients in plan.concurrency:
            schedules = concurrent_schedules(pool, f"conc{clients}", plan.concurrent, clients,
                                             plan.senders_per_client, SEED + 100 * clients)
            result = asyncio.run(_run_phase(server, schedules))
            key = f"concurrent_{clients}"
            figures[key] = result.summary() | {"clients": clients}
            latencies[key] = result.latencies
            progress(_line(f"{clients} clients", figures[key]))
        figures["memory_after_load_mb"] = proc_status(server.process.pid)
        figures["load_average_after"] = load_average()
        figures["database_mb"] = round((project_dir / "hrbot.db").stat().st_size / 1e6, 2)
        progress(f"  server memory after load: {figures['memory_after_load_mb']} MB; "
                 f"hrbot.db {figures['database_mb']} MB")
    finally:
        server.stop()
        log_tail = server.log.read_text(errors="replace").splitlines()
        problems = [line for line in log_tail
                    if any(word in line for word in ("ERROR", "WARNING", "Traceback", "Error"))]
        figures["server_log_problems"] = problems[:20]
        shutil.rmtree(folder, ignore_errors=True)
    figures["latencies_s"] = latencies
    return figures


def _line(label: str, summary: dict[str, Any]) -> str:
    return (f"  {label}: {summary['messages']} messages, p50 {summary['p50_ms']} ms, "
            f"p99 {summary['p99_ms']} ms, {summary['messages_per_s']} msg/s, "
            f"errors {summary['errors']}, server CPU {summary['server_cpu_ms_per_message']} ms/msg")


if __name__ == "__main__":  # a quick manual run: python loadgen.py ARCHIVE
    from common import message_pool, projects

    hr = projects()[0]
    plan = LoadPlan(warmup=100, sequential=300, concurrent=1000, concurrency=(8, 32))
    out = run_load(hr, Path(sys.argv[1]), message_pool(hr).texts, plan, Progress())
    out.pop("latencies_s")
    print(json.dumps(out, ensure_ascii=False, indent=2))
