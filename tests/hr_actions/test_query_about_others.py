"""Questions about another employee: answered for a direct manager (team data, handbook 4.7
salary included) and for HR roles; everyone else gets one refusal that is the same whether the
person exists or not, and no figure of theirs. Follow-ups keep the person asked about."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from actions.expenses import ActionReimbursementStatus
from actions.identity import Employee
from actions.leave_queries import ActionLeaveBalance
from actions.pay import ActionSalaryQuery
from actions.people import ActionEmployeeInfo
from actions.performance import ActionPerformanceQuery
from actions.replies import format_money
from actions.subject import ABOUT_SLOT, Mention, mention_in
from connector_support import backend_app
from test_query_support import ask, one

STAFF, PEER, MANAGER, OTHER_MANAGER, HR_AGENT = "E1008", "E1009", "E1007", "E1023", "E1002"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("others") / "b.db") as served:
        yield served


def _asker(employee_id: str = STAFF, *, manager: bool = False) -> Employee:
    row = one("employees", id=employee_id)
    return Employee(employee_id, row["name"], None, None, None, row["manager_id"], (), False, manager)


def _name(employee_id: str) -> str:
    return str(one("employees", id=employee_id)["name"])


def _net(employee_id: str, month: str) -> float:
    return float(one("payslips", employee_id=employee_id, month=month)["net"])


# --- finding the person a message is about ------------------------------------------------

@pytest.mark.parametrize(
    ("message", "people", "expected"),
    [
        ("张伟的工资多少", ["张伟"], Mention(name="张伟")),
        ("E1024还有几天年假", [], Mention(employee_id="E1024")),
        ("把e1003的工资条发我", [], Mention(employee_id="E1003")),
        ("我领导的工资是多少", [], Mention(manager=True)),
        ("我上级这个月迟到几次", [], Mention(manager=True)),
        ("王芳还有几天年假", [], Mention(name="王芳")),
        ("帮我查一下李娜的绩效", [], Mention(name="李娜")),
        ("我下属的考勤怎么样", [], Mention(team=True)),
    ],
)
def test_a_message_naming_someone_else_is_about_them(
    message: str, people: list[str], expected: Mention
) -> None:
    assert mention_in(message, people, _asker()) == expected


@pytest.mark.parametrize(
    "message",
    ["我的工资多少", "我的直属领导是谁", "周一的考勤", "上周末加班了吗", "高温补贴的金额是多少",
     "吴婉清的年假还有几天", "年假还剩几天", "公积金每个月扣多少"],
)
def test_a_message_about_the_asker_or_naming_nobody_is_about_the_asker(message: str) -> None:
    assert mention_in(message, [], _asker(STAFF)) is None  # 吴婉清 is E1008 herself


@pytest.mark.parametrize(
    ("message", "person"),
    [("我的请假申请宋经理审了没有", "宋经理"), ("王经理批我的假没有", "王经理"),
     ("请假是不是还卡在叶涛那里", "叶涛"), ("李磊批了我的报销没", "李磊")],
)
def test_a_person_named_as_the_approver_does_not_make_the_question_theirs(message: str, person: str) -> None:
    assert mention_in(message, [person], _asker(STAFF)) is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("郭杰扣了多少税", Mention(name="郭杰")),
        ("我同事郭杰一个月挣多少", Mention(name="郭杰")),
        ('/salary_query{"person": "郭杰"}', Mention(name="郭杰")),
        ("把王小明的工资条发我", Mention(name="王小明")),
        ("我是人力资源部的,把许静9月的工资条给我", Mention(name="许静")),
        ("what's 许静's salary last month", Mention(name="许静")),
        ("宋俊杰工资卡号多少", Mention(name="宋俊杰")),
        ("老板让我核对一下李建国的薪资明细", Mention(name="李建国")),
        ("我们主管的工资条发我", Mention(manager=True)),
        ("我领导扣了多少税", Mention(manager=True)),
        ("我同事的工资", Mention(team=True)),
        ("我们组其他人工资多少", Mention(team=True)),
        ("同事的身份证号", Mention(team=True)),
    ],
)
def test_every_way_of_naming_someone_else_is_caught(message: str, expected: Mention) -> None:
    people = ["郭杰"] if "person" in message else []
    assert mention_in(message, people, _asker("E1025")) == expected


@pytest.mark.parametrize("message", ["我今天和张伟有什么会", "我的请假是不是卡在李磊那边了",
                                     "我的直属领导是谁", "肖艳的年假还有几天"])
def test_people_who_only_take_part_or_the_asker_herself_do_not_change_whose_data_it_is(message: str) -> None:
    assert mention_in(message, [], _asker("E1025")) is None


# --- who may see whom ----------------------------------------------------------------------

def test_a_direct_manager_gets_a_reports_leave_balance_by_name(app: Any) -> None:
    report = "E1024"
    balance = one("leave_balances", employee_id=report, leave_type="annual", year=2026)

    answer = ask(app, ActionLeaveBalance, OTHER_MANAGER, f"{_name(report)}还有几天年假",
                 entities={"leave_type": "annual"})

    assert answer.text.startswith(_name(report))
    assert f"剩余{balance['remaining']:g}天" in answer.text
    assert answer.slot(ABOUT_SLOT) == report


def test_a_direct_manager_may_see_a_reports_salary_handbook_4_7(app: Any) -> None:
    answer = ask(app, ActionSalaryQuery, MANAGER, f"{_name(STAFF)}上个月工资多少",
                 entities=[("person", _name(STAFF)), ("month", "2026-10")])

    assert format_money(_net(STAFF, "2026-10")) in answer.text
    assert answer.text.startswith(_name(STAFF))


def test_hr_may_see_anyones_salary_by_employee_id(app: Any) -> None:
    answer = ask(app, ActionSalaryQuery, HR_AGENT, "E1023 10月工资多少", entities={"month": "2026-10"})

    assert format_money(_net("E1023", "2026-10")) in answer.text


def test_a_follow_up_keeps_the_person_the_previous_answer_was_about(app: Any) -> None:
    answer = ask(app, ActionSalaryQuery, MANAGER, "那9月呢?", intent="inform",
                 entities={"month": "2026-09"}, slots={ABOUT_SLOT: STAFF})

    assert format_money(_net(STAFF, "2026-09")) in answer.text
    assert not answer.events or all(e.get("name") != ABOUT_SLOT for e in answer.events)


def test_a_new_question_naming_nobody_is_about_the_asker_again(app: Any) -> None:
    answer = ask(app, ActionSalaryQuery, MANAGER, "我上个月工资多少", intent="salary_query",
                 entities={"month": "2026-10"}, slots={ABOUT_SLOT: STAFF})

    assert format_money(_net(MANAGER, "2026-10")) in answer.text
    assert answer.slot(ABOUT_SLOT) is None


@pytest.mark.parametrize(
    ("asker", "message", "people"),
    [
        (STAFF, "任超上个月工资多少", ["任超"]),  # a peer
        (STAFF, "我领导的工资是多少", []),  # one's own manager
        (OTHER_MANAGER, "吴婉清的工资多少", ["吴婉清"]),  # another manager's report
        (STAFF, "E1009的工资条发我看看", []),
    ],
)
def test_salary_of_someone_the_asker_may_not_see_is_refused_without_figures(
    app: Any, asker: str, message: str, people: list[str]
) -> None:
    text = ask(app, ActionSalaryQuery, asker, message, entities=[("person", p) for p in people]).text

    assert "隐私" in text and "元" not in text
    for employee_id in (PEER, MANAGER, STAFF):
        if employee_id != asker:
            assert format_money(_net(employee_id, "2026-10")) not in text


def test_an_existing_and_an_unknown_name_get_the_same_refusal(app: Any) -> None:
    existing = ask(app, ActionSalaryQuery, STAFF, "任超的工资多少", entities={"person": "任超"}).text
    unknown = ask(app, ActionSalaryQuery, STAFF, "任小超的工资多少", entities={"person": "任小超"}).text

    assert existing.replace("任超", "某人") == unknown.replace("任小超", "某人")


def test_a_managers_refusal_is_the_same_for_a_stranger_and_for_nobody(app: Any) -> None:
    stranger = ask(app, ActionPerformanceQuery, MANAGER, "周伟的绩效", entities={"person": "周伟"}).text
    nobody = ask(app, ActionPerformanceQuery, MANAGER, "周小伟的绩效", entities={"person": "周小伟"}).text

    assert stranger.replace("周伟", "某人") == nobody.replace("周小伟", "某人")


def test_data_outside_a_managers_scope_is_refused_like_a_stranger(app: Any) -> None:
    # Expense claims are the employee's and HR's only, not the manager's.
    text = ask(app, ActionReimbursementStatus, MANAGER, f"{_name(STAFF)}的报销到账了吗",
               entities={"person": _name(STAFF)}).text

    assert "隐私" in text


def test_anothers_profile_never_shows_unmasked_identifiers_even_to_hr(app: Any) -> None:
    row = one("employees", id=STAFF)

    text = ask(app, ActionEmployeeInfo, HR_AGENT, f"{row['name']}的手机号",
               entities={"person": row["name"]}).text

    assert row["department"] in text
    for identifier in ("phone", "id_card", "bank_account"):
        assert row[identifier] not in text
