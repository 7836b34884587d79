"""The audit trail: one masked JSON line per backend call, cross-employee access marked, never
failing the action."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from actions.audit import AuditLog, audit_log_path, mask_identifiers
from actions.connectors import HRSession, NotFound
from connector_support import backend_app, in_process_client, run

FIXED = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    with backend_app(tmp_path / "b.db") as served:
        yield served


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "logs" / "audit.jsonl", clock=lambda: FIXED)


def test_a_managers_read_of_a_reports_attendance_is_marked_cross_employee(app: Any, audit: AuditLog) -> None:
    async def go() -> None:
        async with in_process_client(app, audit=audit) as client:
            manager = HRSession(client, "E1007")
            await manager.hrm.attendance(month="2026-11", employee_id="E1008")
            await manager.hrm.attendance(month="2026-11")

    run(go())
    report, own = audit.entries()

    assert report.to_dict() == {
        "time": "2026-11-21T02:00:00.000+00:00",
        "acting_employee": "E1007",
        "system": "hrm",
        "method": "GET",
        "path": "/hrm/attendance",
        "params": {"month": "2026-11", "employee_id": "E1008"},
        "target_employee": "E1008",
        "status": 200,
        "outcome": "ok",
        "error_code": None,
        "attempts": 1,
        "duration_ms": report.duration_ms,
    }
    assert own.target_employee is None


def test_path_addressed_reads_of_another_employee_name_the_target(app: Any, audit: AuditLog) -> None:
    async def go() -> None:
        async with in_process_client(app, audit=audit) as client:
            await HRSession(client, "E1007").hrm.profile("E1008")
            await HRSession(client, "E1008").hrm.profile()

    run(go())

    assert [e.target_employee for e in audit.entries()] == ["E1008", None]


def test_a_refused_access_is_recorded_with_its_outcome(app: Any, audit: AuditLog) -> None:
    async def go() -> None:
        async with in_process_client(app, audit=audit) as client:
            with pytest.raises(NotFound):
                await HRSession(client, "E1008").hrm.payslip("2026-10", employee_id="E1009")

    run(go())
    (entry,) = audit.entries()

    assert (entry.path, entry.target_employee, entry.status, entry.outcome, entry.error_code) == (
        "/hrm/payslips/2026-10",
        "E1009",
        404,
        "NotFound",
        "not_found",
    )


def test_the_log_holds_no_token(app: Any, audit: AuditLog) -> None:
    async def go() -> None:
        async with in_process_client(app, audit=audit) as client:
            await HRSession(client, "E1008").erp.welfare()

    run(go())

    assert "token" not in audit.path.read_text(encoding="utf-8")


def test_identifiers_in_paths_and_parameters_are_masked(audit: AuditLog) -> None:
    entry = audit.record(
        acting_employee="E1001",
        system="hrm",
        method="get",
        path="/hrm/lookup/330106199001014700",
        params={"phone": "13212344755", "bank": "6222 0210 0112 5661", "card": "11010519491231002X", "n": 3},
        target_employee="13212344755",
        status=200,
        outcome="ok",
    )

    written = json.loads(audit.path.read_text(encoding="utf-8"))
    assert written["path"] == "/hrm/lookup/330106********4700"
    assert written["params"] == {
        "phone": "132****4755",
        "bank": "6222********5661",
        "card": "110105********002X",
        "n": "3",
    }
    assert entry.target_employee == "132****4755" and entry.method == "GET"


def test_masking_leaves_employee_ids_dates_and_amounts_alone() -> None:
    text = "/oa/leave-requests/LV202600001?employee_id=E1008&month=2026-11&amount=45.5"

    assert mask_identifiers(text) == text


def test_concurrent_writers_leave_whole_lines(audit: AuditLog) -> None:
    def write(n: int) -> None:
        for i in range(50):
            audit.record(
                acting_employee=f"E{n}",
                system="oa",
                method="GET",
                path=f"/oa/todo/{i}",
                status=200,
                outcome="ok",
            )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = audit.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert all(json.loads(line)["system"] == "oa" for line in lines)


def test_an_unwritable_log_is_reported_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "audit.jsonl").mkdir()
    audit = AuditLog(tmp_path / "audit.jsonl")

    with caplog.at_level(logging.ERROR, logger="actions.audit"):
        entry = audit.record(
            acting_employee="E1008", system="hrm", method="GET", path="/hrm/x", status=200, outcome="ok"
        )

    assert entry.acting_employee == "E1008"
    assert "could not write the audit log" in caplog.text


def test_the_log_lives_in_the_project_unless_hrbot_audit_log_says_otherwise(tmp_path: Path) -> None:
    assert audit_log_path({"HRBOT_AUDIT_LOG": str(tmp_path / "a.jsonl")}) == tmp_path / "a.jsonl"
    assert audit_log_path({"HRBOT_PROJECT_DIR": str(tmp_path)}) == tmp_path / "logs" / "audit.jsonl"
