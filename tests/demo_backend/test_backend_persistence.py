"""Writes live in the backend's SQLite database: they survive restarts until a reset."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from backend_test_support import Api

LEAVE = {"leave_type": "annual", "start": "2026-11-24", "days": 2}


def pending_ids(api: Api) -> list[str]:
    """E1008's pending leave: company.json has LV202600009 only."""
    return [r["id"] for r in api.ok("GET", "/oa/leave-requests?status=pending")["leave_requests"]]


def test_writes_survive_a_new_app_on_the_same_database(open_api: Callable[..., Api], tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    first = open_api(db=db)
    request = first.ok("POST", "/oa/leave-requests", LEAVE)
    first.ok("POST", "/erp/reimbursements", {"category": "taxi", "amount": 50, "occurred_on": "2026-11-20"})
    first.backend.close()

    second = open_api(db=db)
    assert second.ok("GET", f"/oa/leave-requests/{request['id']}")["status"] == "pending"
    assert second.ok("GET", "/hrm/leave-balances?leave_type=annual")["balances"][0]["pending"] == 2
    assert second.ok("GET", "/erp/reimbursements/RB202600120")["amount"] == 50
    assert (
        second.ok("POST", "/oa/leave-requests", {**LEAVE, "start": "2026-11-30", "days": 1}, who="E1009")[
            "id"
        ]
        == "LV202600089"
    )


def test_a_cancellation_of_a_company_record_survives_a_restart(
    open_api: Callable[..., Api], tmp_path: Path
) -> None:
    db = tmp_path / "kept.db"
    open_api(db=db).ok("POST", "/oa/leave-requests/LV202600001/cancel", who="E1001")

    assert open_api(db=db).ok("GET", "/oa/leave-requests/LV202600001", who="E1001")["status"] == "cancelled"


def test_the_admin_reset_restores_company_json(api: Api) -> None:
    api.ok("POST", "/oa/leave-requests", LEAVE)
    api.ok("POST", "/oa/leave-requests/LV202600010/cancel")

    assert api.ok("POST", "/admin/reset", who=None) == {"status": "reset", "dropped_writes": 2}
    assert api.ok("GET", "/oa/leave-requests/LV202600010")["status"] == "approved"
    assert pending_ids(api) == ["LV202600009"]
    assert api.ok("GET", "/health", who=None)["writes"] == 0


def test_the_reset_needs_the_admin_token(api: Api) -> None:
    api.ok("POST", "/oa/leave-requests", LEAVE)

    assert api.post("/admin/reset", who=None, bearer="demo-hrm-token").status_code == 401
    assert api.backend.store.count() == 1


def test_opening_with_reset_drops_the_writes(open_api: Callable[..., Api], tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    open_api(db=db).ok("POST", "/oa/leave-requests", LEAVE)

    assert pending_ids(open_api(db=db, reset=True)) == ["LV202600009"]


def test_the_database_runs_in_wal_mode(api: Api) -> None:
    with sqlite3.connect(api.backend.store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_refused_write_leaves_nothing_behind(api: Api) -> None:
    api.rejected("/oa/leave-requests", {**LEAVE, "days": 30})

    assert api.backend.store.count() == 0
