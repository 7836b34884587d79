"""Running several services as one: start each child process, wait until it answers, and stop
them all — on Ctrl-C, SIGTERM, or when one of them dies — each in its own process group so
that its children go too.

    services = [Service("backend", [python, "-m", "hr_backend", "--port", "8800"], "http://127.0.0.1:8800/health"),
                Service("actions", [hrbot, "run", "actions"], "http://127.0.0.1:5055/health"),
                Service("bot", [hrbot, "run"], "http://127.0.0.1:5005/version")]
    sys.exit(Supervisor(services).run())
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Service:
    """One child process: its command, and the URL that answers once it is ready (None: ready
    when started)."""

    name: str
    command: Sequence[str]
    ready_url: str | None = None
    ready_timeout: float = 60.0
    env: Mapping[str, str] | None = None
    cwd: str | None = None


@dataclass
class _Running:
    service: Service
    process: subprocess.Popen[bytes]


def wait_until_ready(url: str, timeout: float, alive: Callable[[], bool]) -> bool:
    """Poll `url` until it answers (any HTTP status) or `timeout` passes or `alive()` fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with urllib.request.urlopen(url, timeout=1.0):
                return True
        except urllib.error.HTTPError:
            return True  # it answered
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


@dataclass
class Supervisor:
    """Start `services` in order; `run` blocks until a signal or a child's exit, then stops
    every child (SIGTERM to its group, SIGKILL after the grace period). Returns an exit code:
    0 after a signal, 1 when a service failed to start or died."""

    services: Sequence[Service]
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr))
    grace: float = STOP_GRACE_SECONDS
    _running: list[_Running] = field(default_factory=list)
    _stop_requested: bool = False

    def start(self) -> bool:
        for service in self.services:
            if service.ready_url is not None and wait_until_ready(service.ready_url, 0.5, lambda: True):
                self.log(f"{service.name}: something already answers at {service.ready_url}; "
                         "stop it (or the earlier run) first; stopping everything")
                return False
            process = subprocess.Popen(
                list(service.command), env=dict(service.env) if service.env is not None else None,
                cwd=service.cwd, start_new_session=True,
            )
            running = _Running(service, process)
            self._running.append(running)
            if service.ready_url is not None:
                ready = wait_until_ready(service.ready_url, service.ready_timeout,
                                         functools.partial(self._still_starting, process))
                if not ready:
                    if not self._stop_requested:
                        self.log(f"{service.name} did not become ready at {service.ready_url} "
                                 f"(exit code {process.poll()}); stopping everything")
                    return False
            self.log(f"{service.name} is running (pid {process.pid})")
        return True

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if not self.start():
                return 0 if self._stop_requested else 1
            while not self._stop_requested:
                dead = next((r for r in self._running if r.process.poll() is not None), None)
                if dead is not None:
                    self.log(f"{dead.service.name} exited with code {dead.process.returncode}; "
                             "stopping everything")
                    return 1
                time.sleep(0.2)
            return 0
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _still_starting(self, child: subprocess.Popen[bytes]) -> bool:
        return child.poll() is None and not self._stop_requested

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop_requested = True

    def stop(self) -> None:
        """Stop every child, the last started first."""
        for running in reversed(self._running):
            _terminate(running.process, self.grace)
            self.log(f"{running.service.name} stopped")
        self._running.clear()


def _terminate(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait()
