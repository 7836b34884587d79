"""Running the demo's services as one: start in order, wait until ready, stop them all on a
signal or when one dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hrbot_test_support import free_port, subprocess_env


def supervise(tmp_path: Path, services: str) -> subprocess.Popen[str]:
    """A supervisor in its own process (signal handlers need a main thread) writing the pids
    of its children to pids.txt once they are ready."""
    script = tmp_path / "supervise.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        from hrbot.supervisor import Service, Supervisor
        services = {services}
        supervisor = Supervisor(services, log=lambda m: print(m, flush=True))
        sys.exit(supervisor.run())
    """), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script)], env=subprocess_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def http_server(name: str, port: int) -> str:
    return (f"Service({name!r}, [sys.executable, '-m', 'http.server', '{port}', '--bind', '127.0.0.1'], "
            f"'http://127.0.0.1:{port}/', 20)")


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 30) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if text in line:
            return lines
    raise AssertionError(f"'{text}' not seen; output: {lines}")


def finish(process: subprocess.Popen[str]) -> int:
    code = process.wait(timeout=30)
    assert process.stdout is not None
    process.stdout.close()
    return code


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def pids(lines: list[str]) -> list[int]:
    return [int(line.split("pid ")[1].rstrip(")")) for line in lines if "is running (pid" in line]


def test_sigterm_stops_every_service(tmp_path: Path) -> None:
    a, b = free_port(), free_port()
    process = supervise(tmp_path, f"[{http_server('first', a)}, {http_server('second', b)}]")
    started = pids(wait_for_line(process, "second is running"))
    assert len(started) == 2 and all(pid_alive(pid) for pid in started)

    process.send_signal(signal.SIGTERM)
    output = wait_for_line(process, "first stopped")

    assert finish(process) == 0
    assert "second stopped" in output  # the last started is stopped first
    time.sleep(0.2)
    assert not any(pid_alive(pid) for pid in started)


def test_when_one_service_dies_the_others_are_stopped_and_the_exit_code_says_so(tmp_path: Path) -> None:
    a = free_port()
    dies = "Service('short', [sys.executable, '-c', 'import time; time.sleep(1.5)'])"
    process = supervise(tmp_path, f"[{http_server('server', a)}, {dies}]")
    started = pids(wait_for_line(process, "short is running"))

    output = wait_for_line(process, "server stopped")

    assert finish(process) == 1
    assert any("short exited with code 0" in line for line in output)
    assert not pid_alive(started[0])


def test_a_service_that_never_becomes_ready_stops_the_start(tmp_path: Path) -> None:
    never = (f"Service('silent', [sys.executable, '-c', 'import time; time.sleep(30)'], "
             f"'http://127.0.0.1:{free_port()}/', 1.0)")
    process = supervise(tmp_path, f"[{never}]")

    output = wait_for_line(process, "silent stopped")

    assert finish(process) == 1
    assert any("did not become ready" in line for line in output)


def test_a_port_already_in_use_is_reported_instead_of_mistaken_for_readiness(tmp_path: Path) -> None:
    port = free_port()
    squatter = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        process = supervise(tmp_path, f"[{http_server('server', port)}]")
        output = wait_for_line(process, "already answers")
        assert finish(process) == 1
        assert any(f"127.0.0.1:{port}" in line for line in output)
    finally:
        squatter.terminate()
        squatter.wait()
