"""`make run` / `hrbot demo`: the demo backend, the action server and the bot started as one,
answering over REST on the demo clock, stopped together by SIGTERM; `make reset-demo` /
`hrbot demo reset` forgets what the demo wrote."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from hrbot.cli.commands.demo import BACKEND_DB, BOT_PORT
from hrbot_test_support import REPO_ROOT, subprocess_env

PROJECT_FILES = ("config.yml", "domain.yml", "endpoints.yml", "data", "demo", "actions")


def post(text: str, sender: str = "E1008") -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{BOT_PORT}/webhooks/rest/webhook", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: list[dict[str, Any]] = json.loads(response.read())
    return answer


def port_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if port_answers(f"http://127.0.0.1:{BOT_PORT}/version"):
        pytest.fail(f"something already listens on port {BOT_PORT}; stop it to run the demo test")
    project = tmp_path_factory.mktemp("demo") / "hr"
    project.mkdir()
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("state", "__pycache__"))
        else:
            shutil.copy2(source, project / name)
    env = subprocess_env()
    subprocess.run([sys.executable, "-m", "hrbot.cli.main", "train"], cwd=project, env=env, check=True,
                   capture_output=True)
    return project


def test_the_demo_runs_answers_and_stops_on_sigterm(demo_project: Path) -> None:
    env = subprocess_env()
    demo = subprocess.Popen([sys.executable, "-m", "hrbot.cli.main", "demo"], cwd=demo_project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while not port_answers(f"http://127.0.0.1:{BOT_PORT}/version"):
            assert demo.poll() is None, demo.stderr.read() if demo.stderr else ""
            assert time.monotonic() < deadline, "the demo did not start within 90 s"
            time.sleep(0.5)

        answer = post("婚假有几天")
        assert answer[0]["text"].startswith("根据《员工手册》第2.5条")
        assert post("你好")[0]["text"]
        check_answers_come_from_the_company_data(demo_project)
        check_a_leave_request_is_filed_after_confirmation()
    finally:
        demo.send_signal(signal.SIGTERM)
        code = demo.wait(timeout=60)
        log = demo.stderr.read() if demo.stderr else ""
        if demo.stderr:
            demo.stderr.close()
    assert code == 0, log
    assert "demo clock: 2026-11-21T10:00:00+08:00" in log
    for name in ("bot stopped", "actions stopped", "backend stopped"):
        assert name in log
    assert not port_answers(f"http://127.0.0.1:{BOT_PORT}/version")


def test_reset_forgets_the_demos_writes_and_conversations(demo_project: Path) -> None:
    (demo_project / BACKEND_DB).parent.mkdir(parents=True, exist_ok=True)
    (demo_project / BACKEND_DB).write_bytes(b"writes")
    (demo_project / "hrbot.db").write_bytes(b"conversations")

    done = subprocess.run([sys.executable, "-m", "hrbot.cli.main", "demo", "reset"], cwd=demo_project,
                          env=subprocess_env(), capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert not (demo_project / BACKEND_DB).exists()
    assert not (demo_project / "hrbot.db").exists()


def money(value: float) -> str:
    return f"{value:,.2f}"


def check_answers_come_from_the_company_data(project: Path) -> None:
    """Figures in the bot's answers are the backend's, for the employee the sender is."""
    company = json.loads((project / "demo" / "company.json").read_text(encoding="utf-8"))
    annual = next(b for b in company["leave_balances"]
                  if b["employee_id"] == "E1001" and b["leave_type"] == "annual")
    reply = " ".join(m.get("text", "") for m in post("我还有几天年假", sender="E1001"))
    assert f"{annual['remaining']:g}天" in reply, reply

    def net(month: str) -> str:
        slip = next(p for p in company["payslips"] if p["employee_id"] == "E1008" and p["month"] == month)
        return money(slip["net"])

    october = " ".join(m.get("text", "") for m in post("上个月工资多少", sender="E1008"))
    assert net("2026-10") in october, october
    september = " ".join(m.get("text", "") for m in post("那9月呢?", sender="E1008"))
    assert net("2026-09") in september, (september, recent_events("E1008"))


def texts(message: str, sender: str) -> str:
    return " ".join(m.get("text", "") for m in post(message, sender=sender))


def check_a_leave_request_is_filed_after_confirmation() -> None:
    """The leave form: a correction while the reason is asked, a digression, the summary, then
    the request filed in OA with its id."""
    assert "事由" in texts("我想下周三请一天病假", "E1009")
    assert "事由" in texts("不对,改成下周四", "E1009")
    balance = texts("我还有几天病假", "E1009")
    assert "病假剩余" in balance and "事由" in balance
    summary = texts("看病", "E1009")
    assert "11月26日(周四)" in summary and "确认提交吗" in summary
    filed = texts("/affirm", "E1009")
    assert "已为您提交病假申请,编号LV" in filed, filed
    assert "11月26日(周四) 病假1天 审批中" in texts("我的请假批了没", "E1009")
    # and withdrawn again: "帮我撤销" right after the status refers to the request just filed
    summary = texts("帮我撤销", "E1009")
    assert "11月26日(周四)" in summary and "确认撤销吗" in summary, summary
    assert "已为您撤销病假申请" in texts("/affirm", "E1009")
    assert "11月26日(周四) 病假1天 已撤销" in texts("我的请假批了没", "E1009")
    assert recent_events("E1009")[-1].startswith("action action_listen")


def recent_events(sender: str, count: int = 14) -> list[str]:
    """The end of a conversation, compactly, to explain a failed expectation."""
    url = f"http://127.0.0.1:{BOT_PORT}/conversations/{sender}/tracker"
    with urllib.request.urlopen(url, timeout=10) as response:
        events = json.loads(response.read())["events"]
    shown = []
    for event in events[-count:]:
        if event["event"] == "user":
            parse = event.get("parse_data", {})
            entities = [(e.get("entity"), e.get("value")) for e in parse.get("entities", [])]
            shown.append(f"user {event.get('text')!r} {parse.get('intent')} {entities}")
        else:
            shown.append(f"{event['event']} {event.get('name') or ''} {event.get('value', '')} "
                         f"{event.get('policy') or ''}".strip())
    return shown
