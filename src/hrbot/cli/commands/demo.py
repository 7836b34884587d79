"""`hrbot demo`: the demo company as one program — its HR backend, the action server and the
bot — stopped together on Ctrl-C or SIGTERM; `hrbot demo reset`: the demo company back to
company.json's state, and every conversation forgotten.

The demo's clock is the company's reference date, 2026-11-21 10:00 Asia/Shanghai (its data is
frozen there), unless $HRBOT_REFERENCE_TIME says otherwise."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal

DEMO_REFERENCE_TIME = "2026-11-21T10:00:00+08:00"
BOT_PORT = 5005
ACTIONS_PORT = 5055
BACKEND_PORT = 8800
BACKEND_DB = Path("demo") / "state" / "backend.db"
CONVERSATIONS_DB = Path("hrbot.db")
DEFAULT_ADMIN_TOKEN = "demo-admin-token"  # the demo backend's public default (HR_BACKEND_ADMIN_TOKEN)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the demo company (HR backend, actions, bot) or reset it",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", nargs="?", choices=["run", "reset"], default="run")
    parser.add_argument("--host", default="127.0.0.1", help="where the bot listens (default 127.0.0.1)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    if args.action == "reset":
        return reset(Path.cwd(), terminal)
    return run(Path.cwd(), args.host, terminal)


def demo_environment(project: Path) -> dict[str, str]:
    """The children's environment: the demo clock unless one is set, and the demo backend
    importable from `demo/backend` whether or not it is installed."""
    env = dict(os.environ)
    env.setdefault("HRBOT_REFERENCE_TIME", DEMO_REFERENCE_TIME)
    backend_path = str(project / "demo" / "backend")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (backend_path, env.get("PYTHONPATH", "")) if p)
    return env


def run(project: Path, host: str, terminal: Terminal) -> int:
    from hrbot.supervisor import Service, Supervisor

    (project / BACKEND_DB).parent.mkdir(parents=True, exist_ok=True)
    env = demo_environment(project)
    python = sys.executable
    hrbot = [python, "-m", "hrbot.cli.main"]
    services = [
        Service("backend", [python, "-m", "hr_backend", "--port", str(BACKEND_PORT),
                            "--data", str(project / "demo" / "company.json"),
                            "--db", str(project / BACKEND_DB)],
                f"http://127.0.0.1:{BACKEND_PORT}/health", env=env, cwd=str(project)),
        Service("actions", [*hrbot, "run", "actions", "--port", str(ACTIONS_PORT)],
                f"http://127.0.0.1:{ACTIONS_PORT}/health", env=env, cwd=str(project)),
        Service("bot", [*hrbot, "run", "--host", host, "--port", str(BOT_PORT), "--trust-sender"],
                f"http://127.0.0.1:{BOT_PORT}/version", env=env, cwd=str(project)),
    ]
    terminal.info(f"demo clock: {env['HRBOT_REFERENCE_TIME']} (set HRBOT_REFERENCE_TIME to change it)")
    terminal.info(f"try it in a browser: http://{host}:{BOT_PORT}/webchat (as an employee id, e.g. E1008)")
    code = Supervisor(services, log=terminal.info).run()
    if code == 0:
        terminal.info("demo stopped")
    return code


def _request(method: str, url: str, headers: dict[str, str] | None = None) -> dict[str, Any] | None:
    """JSON of a local request, or None when nothing listens there."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read().decode("utf-8") or "{}"
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        raise RuntimeError(f"{method} {url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError):
        return None
    data = json.loads(body)
    return data if isinstance(data, dict) else {}


def _remove_sqlite(path: Path) -> bool:
    removed = False
    for suffix in ("", "-wal", "-shm"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            file.unlink()
            removed = True
    return removed


def reset(project: Path, terminal: Terminal) -> int:
    """Back to company.json and no conversations, whether the demo is running or not."""
    from hrbot.shared.errors import HrbotError

    admin = os.environ.get("HR_BACKEND_ADMIN_TOKEN", DEFAULT_ADMIN_TOKEN)
    try:
        done = _request("POST", f"http://127.0.0.1:{BACKEND_PORT}/admin/reset",
                        {"Authorization": f"Bearer {admin}"})
        if done is not None:
            dropped = done.get("dropped_writes", 0)
            terminal.info(f"demo backend reset while running ({dropped} writes dropped)")
        elif _remove_sqlite(project / BACKEND_DB):
            terminal.info(f"demo backend reset ({BACKEND_DB} removed)")
        else:
            terminal.info("demo backend already in company.json's state")
        token = os.environ.get("HRBOT_AUTH_TOKEN")
        query = f"?token={token}" if token else ""
        cleared = _request("DELETE", f"http://127.0.0.1:{BOT_PORT}/conversations{query}")
        if cleared is not None:
            terminal.info("conversations forgotten (bot running)")
        elif _remove_sqlite(project / CONVERSATIONS_DB):
            terminal.info(f"conversations forgotten ({CONVERSATIONS_DB} removed)")
    except RuntimeError as error:
        raise HrbotError(f"demo reset failed: {error}") from None
    return 0
