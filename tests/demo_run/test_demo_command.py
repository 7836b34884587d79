"""`make run` / `hrbot demo`: the demo backend, the action server and the bot started as one,
answering over REST on the demo clock (stopping it by SIGTERM is checked when the folder's shared
demo stops, see conftest.py); `make reset-demo` / `hrbot demo reset` forgets what the demo wrote,
whether the demo is running or not.

Employees: E1008, E1009, E1020, E1040."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from demo_run_support import LAST_MONTH, Company, DemoClient, Handbook, days, money

from hrbot.cli.commands.demo import BACKEND_DB
from hrbot_test_support import subprocess_env


def reset_demo(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hrbot.cli.main", "demo", "reset"], cwd=project,
                          env=subprocess_env(), capture_output=True, text=True)


def test_reset_without_a_running_demo_removes_its_databases(tmp_path: Path) -> None:
    (tmp_path / BACKEND_DB).parent.mkdir(parents=True)
    (tmp_path / BACKEND_DB).write_bytes(b"writes")
    (tmp_path / "hrbot.db").write_bytes(b"conversations")

    done = reset_demo(tmp_path)

    assert done.returncode == 0, done.stderr
    assert not (tmp_path / BACKEND_DB).exists()
    assert not (tmp_path / "hrbot.db").exists()


@pytest.mark.integration
def test_the_demo_answers_policy_questions_and_greetings(demo: DemoClient, handbook: Handbook) -> None:
    assert demo.say("婚假有几天", "E1008").startswith(handbook.quote("2.5"))
    assert demo.say("你好", "E1008")


@pytest.mark.integration
def test_answers_come_from_the_company_data_for_the_employee_the_sender_is(
        demo: DemoClient, company: Company) -> None:
    annual = company.balance("E1020", "annual")
    assert f"年假剩余{days(annual['remaining'])}" in demo.say("我还有几天年假", "E1020")

    def net(month: str) -> str:
        return money(company.payslip("E1008", month)["net"])

    october = demo.say("上个月工资多少", "E1008")
    assert net(LAST_MONTH) in october, october
    september = demo.say("那9月呢?", "E1008")
    assert net("2026-09") in september, (september, demo.recent("E1008"))


@pytest.mark.integration
def test_a_leave_request_is_filed_after_confirmation_and_can_be_withdrawn(demo: DemoClient) -> None:
    """The leave form: a correction while the reason is asked, a digression, the summary, then
    the request filed in OA with its id."""
    assert "事由" in demo.say("我想下周三请一天病假", "E1009")
    assert "事由" in demo.say("不对,改成下周四", "E1009")
    balance = demo.say("我还有几天病假", "E1009")
    assert "病假剩余" in balance and "事由" in balance
    summary = demo.say("看病", "E1009")
    assert "11月26日(周四)" in summary and "确认提交吗" in summary
    filed = demo.say("/affirm", "E1009")
    assert "已为您提交病假申请,编号LV" in filed, filed
    assert "11月26日(周四) 病假1天 审批中" in demo.say("我的请假批了没", "E1009")
    # and withdrawn again: "帮我撤销" right after the status refers to the request just filed
    summary = demo.say("帮我撤销", "E1009")
    assert "11月26日(周四)" in summary and "确认撤销吗" in summary, summary
    assert "已为您撤销病假申请" in demo.say("/affirm", "E1009")
    assert "11月26日(周四) 病假1天 已撤销" in demo.say("我的请假批了没", "E1009")
    assert demo.recent("E1009")[-1].startswith("action action_listen")


@pytest.mark.integration
def test_reset_while_the_demo_runs_drops_its_writes_and_forgets_conversations(
        demo: DemoClient, company: Company) -> None:
    annual = company.balance("E1040", "annual")
    demo.restart("E1040")
    assert "事由" in demo.say("我想下周三请一天年假", "E1040")
    assert "确认提交吗" in demo.say("家里有事", "E1040")
    assert "已为您提交年假申请" in demo.say("/affirm", "E1040")
    held = demo.say("我还剩几天年假", "E1040")
    assert f"剩余{days(annual['remaining'] - 1)}" in held, held

    done = reset_demo(demo.project)

    assert done.returncode == 0, done.stderr
    dropped = re.search(r"demo backend reset while running \((\d+) writes dropped\)", done.stderr)
    assert dropped and int(dropped.group(1)) >= 1, done.stderr
    assert "conversations forgotten (bot running)" in done.stderr
    assert not [e for e in demo.events("E1040") if e["event"] == "user"]
    assert "11月25日(周三) 年假1天" not in demo.say("我的请假批了没", "E1040")
    assert f"剩余{days(annual['remaining'])}" in demo.say("我还剩几天年假", "E1040")
