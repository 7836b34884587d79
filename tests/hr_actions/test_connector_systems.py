"""The per-system wrappers against the real demo backend (in-process): each reaches its endpoint
for the acting employee and returns the backend's answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from actions.connectors import ClaimInput, HRSession, LeaveInput, MeetingInput, NotFound, RequestRefused
from connector_support import backend_app, in_process_client, run

T = TypeVar("T")
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    with backend_app(tmp_path / "b.db") as served:
        yield served


def as_employee(app: Any, employee_id: str, use: Callable[[HRSession], Awaitable[T]]) -> T:
    async def go() -> T:
        async with in_process_client(app) as client:
            return await use(HRSession(client, employee_id))

    return run(go())


def test_hrm_answers_profile_balances_payslips_attendance_and_more(app: Any) -> None:
    async def use(hr: HRSession) -> dict[str, Any]:
        return {
            "profile": await hr.hrm.profile(),
            "balances": await hr.hrm.leave_balances(leave_type="annual"),
            "payslips": await hr.hrm.payslips(year=2026),
            "payslip": await hr.hrm.payslip("2026-10"),
            "attendance": await hr.hrm.attendance(month="2026-11"),
            "calendar": await hr.hrm.calendar(date(2026, 11, 23), date(2026, 11, 29)),
            "trainings": await hr.hrm.trainings(),
            "records": await hr.hrm.training_records(),
            "performance": await hr.hrm.performance(),
        }

    got = as_employee(app, "E1008", use)

    assert got["profile"]["id"] == "E1008" and got["profile"]["identifiers_masked"]
    assert got["balances"]["balances"][0]["remaining"] == 7
    assert got["payslips"]["payslips"][-1]["month"] == "2026-10"
    assert got["payslip"]["month"] == "2026-10" and got["payslip"]["items"]
    assert got["attendance"]["summary"]["missing_punch"] == 1
    assert got["calendar"]["working_days"] == 5
    assert got["trainings"]["trainings"] and "required_open" in got["records"]
    assert "grade_scale" in got["performance"]


def test_a_manager_reads_a_direct_reports_data_but_not_a_strangers(app: Any) -> None:
    async def use(hr: HRSession) -> tuple[dict[str, Any], dict[str, Any]]:
        return await hr.hrm.attendance(month="2026-11", employee_id="E1008"), await hr.hrm.reports()

    attendance, reports = as_employee(app, "E1007", use)

    assert attendance["employee_id"] == "E1008"
    assert "E1008" in {r["id"] for r in reports["reports"]}
    with pytest.raises(NotFound):
        as_employee(app, "E1007", lambda hr: hr.hrm.payslip("2026-10", employee_id="E1001"))


def test_hiring_progress_is_visible_to_the_hiring_manager(app: Any) -> None:
    async def use(hr: HRSession) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        return (
            await hr.hrm.positions(),
            await hr.hrm.position("P02"),
            await hr.hrm.candidates(position_id="P02"),
        )

    positions, position, candidates = as_employee(app, "E1007", use)

    assert [p["id"] for p in positions["positions"]] == ["P02"]
    assert position["id"] == "P02" and "candidates" in position
    assert {c["position_id"] for c in candidates["candidates"]} <= {"P02"}


def test_oa_previews_files_lists_and_cancels_leave(app: Any) -> None:
    leave = LeaveInput("annual", date(2026, 11, 24), days=1, reason="家事")

    async def use(hr: HRSession) -> tuple[Any, ...]:
        preview = await hr.oa.preview_leave(leave)
        filed = await hr.oa.request_leave(leave)
        listed = await hr.oa.leave_requests(status="pending")
        cancelled = await hr.oa.cancel_leave(filed["id"])
        return preview, filed, listed, cancelled

    preview, filed, listed, cancelled = as_employee(app, "E1008", use)

    assert preview["ok"] and preview["balance"] == {"year": 2026, "before": 7, "after": 6}
    assert filed["status"] == "pending" and filed["approver"]["id"] == "E1007"
    assert filed["id"] in {r["id"] for r in listed["leave_requests"]}
    assert cancelled["status"] == "cancelled"


def test_oa_offers_and_files_punch_corrections(app: Any) -> None:
    async def use(hr: HRSession) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        candidates = await hr.oa.correction_candidates()
        filed = await hr.oa.file_punch_correction(date.fromisoformat(candidates["eligible"][0]["date"]))
        return candidates, filed, await hr.oa.punch_corrections()

    candidates, filed, corrections = as_employee(app, "E1011", use)

    assert candidates["eligible"][0]["date"] == "2026-11-18"
    assert filed["date"] == "2026-11-18" and filed["reason"] == "忘记打卡"
    assert filed["id"] in {c["id"] for c in corrections["attendance_corrections"]}


def test_oa_finds_a_free_room_and_books_it(app: Any) -> None:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI)
    end = start + timedelta(hours=1)

    async def use(hr: HRSession) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        free = await hr.oa.free_rooms(start, end, size=3)
        booked = await hr.oa.book_meeting(
            MeetingInput(start, end, title="周会", attendee_ids=["E1009", "E1010"])
        )
        return free, booked, await hr.oa.meetings(day=start.date())

    free, booked, meetings = as_employee(app, "E1008", use)

    assert booked["room_id"] in {r["id"] for r in free["free_rooms"]}
    assert booked["organizer"]["id"] == "E1008" and booked["attendee_ids"] == ["E1008", "E1009", "E1010"]
    assert booked["id"] in {m["id"] for m in meetings["meetings"]}


def test_oa_lists_work_orders_and_the_managers_queue(app: Any) -> None:
    async def use(hr: HRSession) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        return await hr.oa.approvals(), await hr.oa.todo(), await hr.oa.meeting_rooms()

    approvals, todo, rooms = as_employee(app, "E1007", use)

    assert approvals["employee_id"] == "E1007"
    assert todo["leave_requests"] and all(r["approver_id"] == "E1007" for r in todo["leave_requests"])
    assert rooms["meeting_rooms"]


def test_erp_files_claims_and_material_requests_and_lists_welfare(app: Any) -> None:
    claim = ClaimInput("taxi", 45.5, date(2026, 11, 20), description="加班打车")

    async def use(hr: HRSession) -> tuple[Any, ...]:
        filed = await hr.erp.submit_reimbursement(claim)
        material = await hr.erp.request_material("签字笔", quantity=2)
        return (
            filed,
            await hr.erp.reimbursements(),
            material,
            await hr.erp.material_requests(status="pending"),
            await hr.erp.welfare(),
            await hr.erp.welfare_records(),
        )

    filed, claims, material, materials, welfare, records = as_employee(app, "E1008", use)

    assert filed["amount"] == 45.5 and filed["status"] == "submitted"
    assert filed["id"] in {c["id"] for c in claims["reimbursements"]}
    assert material["id"] in {m["id"] for m in materials["material_requests"]}
    assert welfare["welfare"] and records["employee_id"] == "E1008"


def test_an_over_limit_claim_is_refused_with_the_handbook_rule(app: Any) -> None:
    claim = ClaimInput("office", 800, date(2026, 11, 20))

    with pytest.raises(RequestRefused) as raised:
        as_employee(app, "E1008", lambda hr: hr.erp.submit_reimbursement(claim))

    assert raised.value.code == "office_over_limit" and raised.value.section == "5.2"


def test_crm_and_pms_answer_cs_performance_and_projects(app: Any) -> None:
    async def use(hr: HRSession) -> tuple[Any, ...]:
        return (
            await hr.crm.performance(),
            await hr.crm.agent(),
            await hr.crm.sessions(month="2026-11"),
            await hr.crm.shifts(month="2026-11"),
            await hr.crm.accounts(),
            await hr.pms.projects(),
            await hr.pms.assignments(),
            await hr.pms.project("PRJ-101"),
        )

    performance, agent, sessions, shifts, accounts, projects, assignments, project = as_employee(
        app, "E1008", use
    )

    assert performance["sessions"] > 0 and agent["nickname"] == "小雨"
    assert sessions["employee_id"] == shifts["employee_id"] == "E1008" and accounts["accounts"]
    assert {a["project_id"] for a in assignments["assignments"]} == {"PRJ-101", "PRJ-103"}
    assert projects["projects"] and project["id"] == "PRJ-101"
