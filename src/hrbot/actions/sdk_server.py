"""Running the project's custom actions with `rasa_sdk`'s own action server.

`serve_actions(project_dir)` does what `python -m rasa_sdk --actions actions` does when run
inside the project folder: it registers every `rasa_sdk.Action` of the project's `actions`
package and serves them (`POST /webhook`, `GET /health`, `GET /actions`) until stopped. It
blocks; run it in its own process (`python -m hrbot.actions.sdk_server PROJECT_DIR --port N`).

`start_action_server(project_dir)` starts that in a child process on a free port and returns
once `/health` answers — for tests and for `hrbot run` starting actions alongside the bot.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

DEFAULT_ACTIONS_PORT = 5055
DEFAULT_ACTIONS_PACKAGE = "actions"


def serve_actions(
    project_dir: Path,
    port: int = DEFAULT_ACTIONS_PORT,
    actions_package: str = DEFAULT_ACTIONS_PACKAGE,
    *,
    host: str | None = None,
) -> None:
    """Serve the custom actions of `project_dir`/`actions_package` with rasa_sdk (blocks).

    The project folder goes first on `sys.path`, so the package is imported exactly as
    `python -m rasa_sdk --actions actions` imports it from there. `host` (default: all
    interfaces, as rasa_sdk) is passed to rasa_sdk through its `SANIC_HOST` variable."""
    project = Path(project_dir).resolve()
    package_path = project.joinpath(*actions_package.split("."))
    if not package_path.is_dir() and not package_path.with_suffix(".py").is_file():
        raise FileNotFoundError(
            f"no actions package '{actions_package}' in {project}: create {package_path}/ "
            f"(with an __init__.py) or {package_path}.py, or pass the package name"
        )
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    if host is not None:
        os.environ["SANIC_HOST"] = host  # this process exists to serve the actions
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    arguments = ["--actions", actions_package, "--port", str(port)]
    endpoints = project / "endpoints.yml"
    if endpoints.is_file():
        arguments += ["--endpoints", str(endpoints)]
    main_from_args(create_argument_parser().parse_args(arguments))


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class ActionServerProcess:
    """A rasa_sdk action server running in a child process (a context manager that stops it)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: IO[bytes], log_path: Path) -> None:
        self.process = process
        self.port = port
        self._log = log
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        """The URL for `action_endpoint` in endpoints.yml."""
        return f"{self.url}/webhook"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and its sanic worker processes: SIGTERM to the process group it was
        started in (sanic's manager hangs on a signal to itself alone), SIGKILL if that does
        not end it within `timeout` seconds."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout)
        self._log.close()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def __enter__(self) -> ActionServerProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def start_action_server(
    project_dir: Path,
    *,
    port: int | None = None,
    actions_package: str = DEFAULT_ACTIONS_PACKAGE,
    env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    startup_timeout: float = 30.0,
) -> ActionServerProcess:
    """Start `serve_actions` for `project_dir` in a child process and wait until `/health`
    answers. `env` is the child's environment (hrbot must be importable there). Raises
    RuntimeError with the server's output when it exits or does not answer in time."""
    port = free_port() if port is None else port
    log = tempfile.NamedTemporaryFile(prefix="hrbot-actions-", suffix=".log", delete=False)  # noqa: SIM115
    command: Sequence[str] = [
        python, "-m", "hrbot.actions.sdk_server", str(project_dir),
        "--port", str(port), "--actions", actions_package, "--host", "127.0.0.1",
    ]
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env=dict(env) if env is not None else None,
        start_new_session=True,
    )
    server = ActionServerProcess(process, port, log, Path(log.name))
    try:
        _wait_until_healthy(server, startup_timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_healthy(server: ActionServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the action server exited with code {server.process.returncode}:\n{server.log_text()}"
            )
        try:
            if httpx.get(f"{server.url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the action server did not answer /health within {timeout:g} s:\n{server.log_text()}")


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m hrbot.actions.sdk_server PROJECT_DIR [--port N] [--actions PACKAGE]`."""
    parser = argparse.ArgumentParser(description="serve a project's rasa_sdk custom actions")
    parser.add_argument("project_dir", type=Path, help="the project folder holding the actions package")
    parser.add_argument("--port", type=int, default=DEFAULT_ACTIONS_PORT)
    parser.add_argument("--actions", default=DEFAULT_ACTIONS_PACKAGE, help="the actions package's name")
    parser.add_argument("--host", default=None, help="interface to listen on (default: all)")
    options = parser.parse_args(argv)
    serve_actions(options.project_dir, options.port, options.actions, host=options.host)


if __name__ == "__main__":
    main()
