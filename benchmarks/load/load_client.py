"""The load itself: a fixed number of clients, each with its own users and one request in
flight (so no user ever has two messages in flight), sending REST webhook messages to the
processes of a configuration in turn, as a round-robin load balancer without session affinity
would. Latency is the client's time from sending a message to having read the answer.

CPU time is read from /proc for the hrbot processes and, summed over all their processes, for
PostgreSQL, Redis and RabbitMQ (the machine's own servers) and the stub action server.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from common import conversations, latency_summary

WEBHOOK = "/webhooks/rest/webhook"
SERVICE_NAMES = {"postgresql": ("postgres",), "redis": ("redis-server",), "rabbitmq": ("beam.smp",)}


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` (every thread); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids_named(names: Sequence[str]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def services_cpu() -> dict[str, float]:
    """CPU seconds so far of every PostgreSQL, Redis and RabbitMQ process of the machine."""
    return {service: sum(cpu_seconds(pid) for pid in pids_named(names))
            for service, names in SERVICE_NAMES.items()}


def machine_cpu_seconds() -> float:
    """CPU seconds all cores of the machine spent busy so far (/proc/stat: all but idle, iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (the peak) of `pid` in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return found


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bot_messages: int = 0
    empty_replies: int = 0
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    stub_cpu_s: float = 0.0
    services_cpu_s: dict[str, float] = field(default_factory=dict)
    machine_cpu_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        done = len(self.latencies)

        def per_message(seconds: float) -> float | None:
            return round(1000 * seconds / done, 3) if done else None

        ours = (self.server_cpu_s + self.client_cpu_s + self.stub_cpu_s + sum(self.services_cpu_s.values()))
        return {
            "messages": done + len(self.errors),
            "errors": len(self.errors),
            "error_examples": self.errors[:5],
            "empty_replies": self.empty_replies,
            "bot_messages_per_reply": round(self.bot_messages / done, 2) if done else None,
            **latency_summary(self.latencies),
            "wall_s": round(self.wall_s, 3),
            "messages_per_s": round(done / self.wall_s, 1) if self.wall_s else None,
            "hrbot_cpu_ms_per_message": per_message(self.server_cpu_s),
            "hrbot_cpu_utilisation": round(self.server_cpu_s / self.wall_s, 2) if self.wall_s else None,
            "services_cpu_ms_per_message": {k: per_message(v) for k, v in self.services_cpu_s.items()},
            "stub_actions_cpu_ms_per_message": per_message(self.stub_cpu_s),
            "client_cpu_utilisation": round(self.client_cpu_s / self.wall_s, 2) if self.wall_s else None,
            "all_cpu_ms_per_message": per_message(ours),
            "machine_busy_cores": round(self.machine_cpu_s / self.wall_s, 2) if self.wall_s else None,
            "other_jobs_busy_cores": round(max(0.0, self.machine_cpu_s - ours) / self.wall_s, 2)
            if self.wall_s else None,
        }


def schedules(pool: Sequence[str], prefix: str, messages: int, clients: int, senders_per_client: int,
              seed: int) -> list[list[tuple[str, str]]]:
    """Per client, its (sender, text) messages; clients have disjoint senders."""
    per_client = messages // clients
    return [
        conversations(pool, senders=[f"{prefix}-c{c:02d}-u{u:02d}" for u in range(senders_per_client)],
                      messages=per_client, seed=seed + c)
        for c in range(clients)
    ]


async def run_phase(urls: Sequence[str], plan: Sequence[Sequence[tuple[str, str]]],
                    server_pids: Sequence[int], stub_pid: int) -> Phase:
    """Send `plan` (one worker per client); worker i's message k goes to process (i + k) mod N."""
    phase = Phase()
    connections = len(plan) * len(urls)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
        async def worker(number: int, messages: Sequence[tuple[str, str]]) -> None:
            for turn, (sender, text) in enumerate(messages):
                url = urls[(number + turn) % len(urls)]
                started = time.perf_counter()
                try:
                    response = await client.post(url + WEBHOOK, json={"sender": sender, "message": text})
                    body = response.json() if response.status_code == 200 else None
                except (httpx.HTTPError, ValueError) as error:
                    phase.errors.append(f"{time.strftime('%H:%M:%S')} {type(error).__name__}: {error!r}")
                    continue
                elapsed = time.perf_counter() - started
                if not isinstance(body, list):
                    phase.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                    continue
                phase.latencies.append(elapsed)
                phase.bot_messages += len(body)
                phase.empty_replies += not body

        servers_before = sum(cpu_seconds(pid) for pid in server_pids)
        services_before = services_cpu()
        stub_before = cpu_seconds(stub_pid)
        client_before = time.process_time()
        machine_before = machine_cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(worker(number, messages) for number, messages in enumerate(plan)))
        phase.wall_s = time.perf_counter() - started
        phase.machine_cpu_s = machine_cpu_seconds() - machine_before
        phase.client_cpu_s = time.process_time() - client_before
        phase.server_cpu_s = sum(cpu_seconds(pid) for pid in server_pids) - servers_before
        phase.stub_cpu_s = cpu_seconds(stub_pid) - stub_before
        after = services_cpu()
        phase.services_cpu_s = {service: after[service] - services_before[service] for service in after}
    return phase
