"""action_reimbursement_status, action_welfare_query, action_material_request_status,
action_approval_status, action_project_participation and action_meeting_query against the demo
backend, expectations from company.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from actions.expenses import ActionMaterialRequestStatus, ActionReimbursementStatus, ActionWelfareQuery
from actions.replies import format_date, format_money
from actions.work import ActionApprovalStatus, ActionMeetingQuery, ActionProjectParticipation
from connector_support import backend_app
from test_query_support import ask, one, reference_day, rows


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("work") / "b.db") as served:
        yield served


def test_claims_show_amount_status_step_and_paid_date(app: Any) -> None:
    claims = rows("reimbursements", employee_id="E1008")
    assert claims and len(claims) <= 5

    text = ask(app, ActionReimbursementStatus, "E1008", "我的报销到账了吗").text

    for claim in claims:
        assert claim["id"] in text and format_money(claim["amount"]) in text
        if claim["status"] == "paid":
            assert f"{format_date(date.fromisoformat(claim['paid_on']), today=reference_day())}到账" in text
        if claim["status"] == "submitted":
            assert f"当前:{claim['current_step']}" in text


def test_an_expense_type_narrows_the_claims(app: Any) -> None:
    employee, _ = Counter(r["employee_id"] for r in rows("reimbursements", category="taxi")).most_common(1)[0]
    other = next(r for r in rows("reimbursements", employee_id=employee) if r["category"] != "taxi")

    text = ask(app, ActionReimbursementStatus, employee, "打车报销到哪了",
               entities={"expense_type": "taxi"}).text

    assert "打车" in text and other["id"] not in text


def test_welfare_lists_each_item_and_whether_it_was_received(app: Any) -> None:
    records = rows("welfare_records", employee_id="E1008")
    items = {w["id"]: w for w in rows("welfare")}

    text = ask(app, ActionWelfareQuery, "E1008", "今年的福利领了吗").text

    for record in records:
        item = items[record["welfare_id"]]
        line = next(line for line in text.splitlines() if item["title"] in line)
        assert format_money(item["amount"]) in line
        assert ("已领取" in line) == (record["status"] == "received")


def test_material_requests_show_item_and_status(app: Any) -> None:
    requests = rows("material_requests", employee_id="E1008")
    names = {"pending": "待审批", "issued": "已发放", "rejected": "已驳回"}

    text = ask(app, ActionMaterialRequestStatus, "E1008", "我领过哪些办公用品").text

    for request in requests:
        line = next(line for line in text.splitlines() if request["id"] in line)
        assert request["item"] in line and names[request["status"]] in line


def test_work_orders_show_their_status_and_who_has_them(app: Any) -> None:
    employee, _ = Counter(a["employee_id"] for a in rows("oa_approvals", status="pending")).most_common(1)[0]
    pending = rows("oa_approvals", employee_id=employee, status="pending")

    text = ask(app, ActionApprovalStatus, employee, "我提交的审批到哪了").text

    for approval in pending:
        approver = one("employees", id=approval["current_approver_id"])["name"]
        assert f"{approval['id']}" in text and f"当前在{approver}处审批" in text


def test_a_work_order_number_in_the_message_is_looked_up_for_its_applicant_only(app: Any) -> None:
    approval = one("oa_approvals", id="OA-2031")
    stranger = next(e["id"] for e in rows("employees")
                    if e["id"] != approval["employee_id"] and "hr_admin" not in e["roles"]
                    and "hr_agent" not in e["roles"])

    mine = ask(app, ActionApprovalStatus, approval["employee_id"], "工单OA-2031到谁那了").text
    theirs = ask(app, ActionApprovalStatus, stranger, "工单oa2031到谁那了").text

    assert mine.startswith("工单OA-2031") and {"rejected": "已驳回"}.get(approval["status"], "") in mine
    assert "没有查到工单OA-2031" in theirs and "采购" not in theirs


def test_projects_show_role_hours_and_open_tasks_with_totals(app: Any) -> None:
    assignments = rows("project_assignments", employee_id="E1008")
    projects = {p["id"]: p for p in rows("projects")}

    text = ask(app, ActionProjectParticipation, "E1008", "我现在参与了哪些项目").text

    assert f"本周共{sum(a['hours_this_week'] for a in assignments)}小时" in text
    assert f"待办任务{sum(a['open_tasks'] for a in assignments)}个" in text
    for assignment in assignments:
        line = next(line for line in text.splitlines() if projects[assignment["project_id"]]["name"] in line)
        assert assignment["role"] in line and f"本周{assignment['hours_this_week']}小时" in line


def meetings_on(employee: str, day: str) -> list[dict[str, Any]]:
    return [m for m in rows("meetings") if m["start"].startswith(day)
            and (employee == m["organizer_id"] or employee in m["attendee_ids"])]


def test_meetings_default_to_today(app: Any) -> None:
    today = meetings_on("E1008", reference_day().isoformat())
    assert today

    text = ask(app, ActionMeetingQuery, "E1008", "今天有什么会").text

    assert f"有{len(today)}个会议" in text
    for meeting in today:
        assert meeting["title"] in text and datetime.fromisoformat(meeting["start"]).strftime("%H:%M") in text


def test_meetings_on_the_day_of_the_date_entity(app: Any) -> None:
    day = next(m["start"][:10] for m in rows("meetings")
               if m["start"][:10] > reference_day().isoformat() and "E1008" in m["attendee_ids"])
    expected = meetings_on("E1008", day)
    elsewhere = [m for m in rows("meetings") if m not in expected and "E1008" in m["attendee_ids"]]

    text = ask(app, ActionMeetingQuery, "E1008", "那天有会吗", entities={"date": day}).text

    assert all(m["title"] in text for m in expected)
    assert not any(m["start"][11:16] + "–" in text for m in elsewhere)


def test_a_day_without_meetings_says_so(app: Any) -> None:
    assert meetings_on("E1008", "2026-11-22") == []

    text = ask(app, ActionMeetingQuery, "E1008", "周日有会吗", entities={"date": "2026-11-22"}).text

    assert text == "您11月22日(周日)没有会议安排。"
