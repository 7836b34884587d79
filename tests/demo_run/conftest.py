"""One running demo for every test of tests/demo_run: a copy of the project is trained once,
`hrbot demo` is started once (demo backend, action server and bot on their fixed ports) and
stopped with SIGTERM when the last test of the folder is done — and the stop itself is checked:
a clean exit, each service reported stopped, no process of any service left, no port answering.

Writes persist for the whole run, so each test module talks as its own employees; a test that
needs the company as company.json has it uses `hrbot demo reset`. Tests that need the demo
*not* running (the offline reset) do not use the `demo` fixture and are run first."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_run_support import Company, DemoClient, Handbook

from hrbot.cli.commands.demo import ACTIONS_PORT, BACKEND_PORT, BOT_PORT
from hrbot_test_support import REPO_ROOT, subprocess_env

PROJECT_FILES = ("config.yml", "domain.yml", "endpoints.yml", "data", "demo", "actions")
BOT_URL = f"http://127.0.0.1:{BOT_PORT}"
SERVICE_URLS = {
    "backend": f"http://127.0.0.1:{BACKEND_PORT}/health",
    "actions": f"http://127.0.0.1:{ACTIONS_PORT}/health",
    "bot": f"{BOT_URL}/version",
}
START_SECONDS = 90
STOP_SECONDS = 60
_RUNNING = re.compile(r"^(\w+) is running \(pid (\d+)\)", re.MULTILINE)
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """This folder's tests that do not use the shared demo go first: they need it not yet started."""
    positions = [i for i, item in enumerate(items) if HERE in Path(item.path).resolve().parents]
    mine = [items[i] for i in positions]
    ordered = sorted(mine, key=lambda item: "demo" in getattr(item, "fixturenames", ()))
    for position, item in zip(positions, ordered, strict=True):
        items[position] = item


def port_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def copy_project(target: Path) -> Path:
    """The project's files (without the demo's state or caches) in `target`."""
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("state", "__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="package")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trained copy of the project (trained once for the folder)."""
    project = copy_project(tmp_path_factory.mktemp("demo") / "hr")
    subprocess.run([sys.executable, "-m", "hrbot.cli.main", "train"], cwd=project, env=subprocess_env(),
                   check=True, capture_output=True)
    return project


@pytest.fixture(scope="package")
def company(demo_project: Path) -> Company:
    """The demo company as its company.json has it (what the backend starts from)."""
    return Company.load(demo_project / "demo" / "company.json")


@pytest.fixture(scope="package")
def handbook(demo_project: Path) -> Handbook:
    """The demo company's employee handbook, whose rules the bot applies and quotes."""
    return Handbook.load(demo_project / "demo" / "handbook.md")


def _group_alive(group: int) -> bool:
    """Whether any process of the process group is still running (zombies do not count)."""
    proc = Path("/proc")
    if proc.is_dir():
        for stat in proc.glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and int(fields[2]) == group:
                return True
        return False
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_until_started(process: subprocess.Popen[bytes], log: Path) -> dict[str, int]:
    """Waits until the supervisor reports every service running; their process groups by name."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        text = log.read_text(encoding="utf-8", errors="replace")
        groups = {name: int(pid) for name, pid in _RUNNING.findall(text)}
        if set(groups) == set(SERVICE_URLS) and port_answers(SERVICE_URLS["bot"]):
            return groups
        assert process.poll() is None, f"the demo exited early:\n{text}"
        assert time.monotonic() < deadline, f"the demo did not start within {START_SECONDS} s:\n{text}"
        time.sleep(0.3)


@pytest.fixture(scope="package")
def demo(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClient]:
    """`hrbot demo` running for the folder's tests; stopped with SIGTERM afterwards, and checked
    to have stopped cleanly."""
    busy = [name for name, url in SERVICE_URLS.items() if port_answers(url)]
    if busy:
        pytest.fail(f"something already answers on the demo's ports ({', '.join(busy)}); "
                    "stop it to run the demo tests")
    log = tmp_path_factory.mktemp("demo-log") / "demo.log"
    with log.open("wb") as sink:  # a file, not a pipe: the services log every request
        process = subprocess.Popen([sys.executable, "-m", "hrbot.cli.main", "demo"], cwd=demo_project,
                                   env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=sink)
    try:
        groups = _wait_until_started(process, log)
        yield DemoClient(BOT_URL, demo_project)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=STOP_SECONDS)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, text
    assert "demo clock: 2026-11-21T10:00:00+08:00" in text
    for name in SERVICE_URLS:
        assert f"{name} stopped" in text, text
    deadline = time.monotonic() + 5
    while any(_group_alive(group) for group in groups.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [name for name, group in groups.items() if _group_alive(group)]
    assert not left, f"processes of {left} still run after the demo stopped"
    answering = [name for name, url in SERVICE_URLS.items() if port_answers(url)]
    assert not answering, f"{answering} still answer after the demo stopped"
