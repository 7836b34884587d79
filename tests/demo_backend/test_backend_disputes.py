"""Performance disputes (handbook 7.3) and the customer-service attribution inputs (7.2).

Results are taken as published on the 15th working day of the second month after the quarter
(company.json has no publication date): 2026Q3 on Friday 2026-11-20, disputable until the 5th
working day after, Friday 2026-11-27. Replies are delivered in the Thursday 19:00-21:00 window.
E1008's reviews are reviewed by their manager E1007; department heads review themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from backend_test_support import NOT_FOUND, Api
from hr_backend.clock import COMPANY_TZ
from hr_backend.data.dataset import Dataset
from hr_backend.policy.disputes import (
    feedback_window_start,
    filing_deadline,
    filing_window,
    published_on,
)

STAFF, PEER, REVIEWER, HR_AGENT, HR_DIRECTOR, TECH_HEAD = "E1008", "E1009", "E1007", "E1002", "E1001", "E1023"
DISPUTE = {"period": "2026Q3", "reason": "OKR完成度漏算了双十一保障项目"}
DISPUTES = "/hrm/performance-disputes"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=COMPANY_TZ)


def file(api: Api, who: str = STAFF, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = api.ok("POST", DISPUTES, body or DISPUTE, who=who)
    return answer


# --- the filing window ---------------------------------------------------------------------------


def test_a_quarters_result_is_taken_as_published_on_the_15th_working_day_two_months_later(
    company: Dataset,
) -> None:
    assert published_on("2026Q3", company.calendar) == date(2026, 11, 20)
    assert published_on("2026Q2", company.calendar) == date(2026, 8, 21)
    assert filing_window("2026Q3", company.calendar).deadline == date(2026, 11, 27)


def test_the_five_working_days_follow_the_company_calendar_across_holidays(company: Dataset) -> None:
    # 09-25 Mid-Autumn holiday, 09-27 a make-up Sunday, 10-01..10-07 National Day
    assert filing_deadline(date(2026, 9, 24), company.calendar) == date(2026, 10, 8)


def test_a_dispute_within_the_window_goes_to_the_reviewer_with_its_deadline(api: Api) -> None:
    dispute = file(api)

    assert dispute["id"] == "PD202600001"
    assert dispute["reviewer"]["id"] == REVIEWER and dispute["status"] == "pending"
    assert (dispute["published_on"], dispute["deadline"]) == ("2026-11-20", "2026-11-27")
    assert dispute["review"]["score"] == 85 and dispute["reason"] == DISPUTE["reason"]


def test_a_result_past_its_five_working_days_cannot_be_disputed(api: Api) -> None:
    error = api.rejected(DISPUTES, {**DISPUTE, "period": "2026Q2"})

    assert error["error"] == "dispute_window_closed" and error["section"] == "7.3"
    assert "8月28日截止" in error["message"]


@pytest.mark.parametrize(("today", "accepted"), [
    ("2026-11-19", False), ("2026-11-20", True), ("2026-11-27T23:00", True), ("2026-11-30", False),
])
def test_the_window_runs_from_publication_to_the_fifth_working_day_after(
    open_api: Callable[..., Api], today: str, accepted: bool
) -> None:
    response = open_api(today=today).post(DISPUTES, DISPUTE)

    assert (response.status_code == 201) is accepted, response.text


def test_before_publication_the_refusal_says_when_the_result_comes(open_api: Callable[..., Api]) -> None:
    error = open_api(today="2026-11-19").rejected(DISPUTES, DISPUTE)

    assert error["error"] == "result_not_published" and "11月20日公布" in error["message"]


def test_a_period_is_disputed_once(api: Api) -> None:
    file(api)

    error = api.rejected(DISPUTES, {**DISPUTE, "reason": "再提一次"})

    assert error["error"] == "already_disputed" and "PD202600001" in error["message"]


def test_a_period_without_a_review_and_a_malformed_period_are_refused(api: Api) -> None:
    missing = api.rejected(DISPUTES, {**DISPUTE, "period": "2025Q1"})
    malformed = api.post(DISPUTES, {**DISPUTE, "period": "Q3"})
    no_reason = api.post(DISPUTES, {"period": "2026Q3"})

    assert missing["error"] == "no_review" and "2026Q3、2026Q2" in missing["message"]
    assert malformed.status_code == no_reason.status_code == 400
    assert (malformed.json()["field"], no_reason.json()["field"]) == ("period", "reason")


def test_a_self_review_goes_to_the_hr_director_and_hers_to_nobody(api: Api) -> None:
    head = file(api, TECH_HEAD)
    director = api.rejected(DISPUTES, DISPUTE, who=HR_DIRECTOR)

    assert head["reviewer"]["id"] == HR_DIRECTOR
    assert director["error"] == "no_reviewer"


def test_eligibility_lists_each_result_with_its_window_and_whether_it_is_open(api: Api) -> None:
    before = api.ok("GET", f"{DISPUTES}/eligible")["reviews"]
    file(api)
    after = api.ok("GET", f"{DISPUTES}/eligible")["reviews"]

    assert [(r["period"], r["open"]) for r in before] == [("2026Q3", True), ("2026Q2", False)]
    assert after[0]["open"] is False and after[0]["dispute_id"] == "PD202600001"
    assert before[0]["reviewer"]["name"] == "宋俊杰" and before[0]["deadline"] == "2026-11-27"


# --- who sees and who replies ---------------------------------------------------------------------


def test_the_employee_the_reviewer_and_hr_see_a_dispute_and_nobody_else(api: Api) -> None:
    dispute_id = file(api)["id"]

    for who in (STAFF, REVIEWER, HR_AGENT):
        assert api.ok("GET", f"{DISPUTES}/{dispute_id}", who=who)["id"] == dispute_id
    stranger = api.get(f"{DISPUTES}/{dispute_id}", who=PEER)
    assert stranger.status_code == 404 and stranger.json() == NOT_FOUND
    assert api.ok("GET", DISPUTES, who=PEER)["disputes"] == []


def test_the_list_holds_own_disputes_and_those_addressed_to_the_reviewer(api: Api) -> None:
    file(api)
    file(api, PEER)

    def ids(who: str, role: str = "") -> list[str]:
        return [d["id"] for d in api.ok("GET", f"{DISPUTES}{role}", who=who)["disputes"]]

    assert ids(STAFF) == ["PD202600001"]
    assert ids(REVIEWER, "?role=to_review") == ["PD202600002", "PD202600001"]
    assert ids(REVIEWER, "?role=filed") == []
    assert ids(HR_AGENT) == ["PD202600002", "PD202600001"]


def test_only_the_reviewer_replies(api: Api) -> None:
    dispute_id = file(api)["id"]
    path = f"{DISPUTES}/{dispute_id}/replies"

    assert api.post(path, {"text": "x"}, who=STAFF).status_code == 403
    assert api.post(path, {"text": "x"}, who=HR_AGENT).json()["error"] == "forbidden"
    assert api.post(path, {"text": "x"}, who=PEER).json() == NOT_FOUND
    assert api.post(path, {"text": "已复核"}, who=REVIEWER).status_code == 201


# --- delivery in the Thursday window ---------------------------------------------------------------


@pytest.mark.parametrize(("written", "delivered"), [
    ("2026-11-21T10:00", "2026-11-26T19:00"),  # Saturday: the coming Thursday
    ("2026-11-26T18:59", "2026-11-26T19:00"),  # Thursday before the window: that evening
    ("2026-11-26T20:30", "2026-11-26T19:00"),  # inside the window: delivered in it
    ("2026-11-26T21:00", "2026-12-03T19:00"),  # the window has ended: next week
    ("2026-09-30T12:00", "2026-10-08T19:00"),  # Thursday 10-01 is National Day: no window
])
def test_a_reply_is_delivered_in_the_first_working_thursday_window_not_yet_over(
    company: Dataset, written: str, delivered: str
) -> None:
    assert feedback_window_start(at(written), company.calendar) == at(delivered)


def test_the_employee_sees_a_reply_only_from_its_window_on(
    open_api: Callable[..., Api], tmp_path: Path
) -> None:
    db = tmp_path / "kept.db"
    saturday = open_api(db=db)
    dispute_id = file(saturday)["id"]
    reply = saturday.ok("POST", f"{DISPUTES}/{dispute_id}/replies", {"text": "已复核,维持B"}, who=REVIEWER)

    assert reply["reply"]["deliver_at"] == "2026-11-26T19:00:00+08:00" and reply["status"] == "replied"
    waiting = saturday.ok("GET", f"{DISPUTES}/{dispute_id}")
    assert waiting["replies"] == [] and waiting["pending_replies"] == [
        {"deliver_at": "2026-11-26T19:00:00+08:00"}
    ]
    assert "已复核" not in str(waiting)
    assert open_api(db=db, today="2026-11-26T18:59").ok("GET", f"{DISPUTES}/{dispute_id}")["replies"] == []
    shown = open_api(db=db, today="2026-11-26T19:00").ok("GET", f"{DISPUTES}/{dispute_id}")
    assert [r["text"] for r in shown["replies"]] == ["已复核,维持B"] and shown["pending_replies"] == []
    assert saturday.ok("GET", f"{DISPUTES}/{dispute_id}", who=REVIEWER)["replies"][0]["delivered"] is False


def test_a_reply_written_inside_a_window_is_seen_at_once(
    open_api: Callable[..., Api], tmp_path: Path
) -> None:
    db = tmp_path / "kept.db"
    dispute_id = file(open_api(db=db))["id"]
    thursday = open_api(db=db, today="2026-11-26T20:00")

    reply = thursday.ok("POST", f"{DISPUTES}/{dispute_id}/replies", {"text": "周四当场回复"}, who=REVIEWER)

    assert reply["reply"]["deliver_at"] == "2026-11-26T19:00:00+08:00"
    assert thursday.ok("GET", f"{DISPUTES}/{dispute_id}")["replies"][0]["text"] == "周四当场回复"


def test_hr_gets_a_windows_deliveries_with_the_channel_ids_others_nothing(api: Api) -> None:
    dispute_id = file(api)["id"]
    api.ok("POST", f"{DISPUTES}/{dispute_id}/replies", {"text": "已复核"}, who=REVIEWER)

    deliveries = api.ok("GET", f"{DISPUTES}/deliveries?on=2026-11-26", who=HR_AGENT)["deliveries"]

    assert [(d["dispute_id"], d["wecom_userid"], d["text"]) for d in deliveries] == [
        (dispute_id, "wx_u1008", "已复核")
    ]
    assert api.ok("GET", f"{DISPUTES}/deliveries?on=2026-12-03", who=HR_AGENT)["deliveries"] == []
    assert api.ok("GET", f"{DISPUTES}/deliveries?on=2026-11-26", who=REVIEWER)["deliveries"] == []


# --- persistence -----------------------------------------------------------------------------------


def test_disputes_and_replies_survive_a_restart_and_are_dropped_by_a_reset(
    open_api: Callable[..., Api], tmp_path: Path
) -> None:
    db = tmp_path / "kept.db"
    first = open_api(db=db)
    dispute_id = file(first)["id"]
    first.ok("POST", f"{DISPUTES}/{dispute_id}/replies", {"text": "已复核"}, who=REVIEWER)
    first.backend.close()

    second = open_api(db=db)
    assert second.ok("GET", f"{DISPUTES}/{dispute_id}", who=REVIEWER)["replies"][0]["text"] == "已复核"
    assert file(second, PEER)["id"] == "PD202600002"

    second.ok("POST", "/admin/reset", who=None)
    assert second.ok("GET", DISPUTES, who=HR_AGENT)["disputes"] == []
    assert second.get(f"{DISPUTES}/{dispute_id}").json() == NOT_FOUND


def test_a_refused_dispute_leaves_nothing_behind(api: Api) -> None:
    api.rejected(DISPUTES, {**DISPUTE, "period": "2026Q2"})

    assert api.backend.store.count() == 0


# --- attribution inputs (7.2) ----------------------------------------------------------------------


INPUTS = "/crm/attribution-inputs?month=2026-10"
TABLES = ("cs_accounts", "cs_agent_nicknames", "cs_account_shifts", "cs_sessions")


def _october(company: Dataset) -> tuple[list[Any], list[Any]]:
    sessions = [s for s in company.rows("cs_sessions") if s["start"].startswith("2026-10")]
    shifts = [s for s in company.rows("cs_account_shifts") if s["login"].startswith("2026-10")]
    return sessions, shifts


def test_hr_gets_every_account_and_the_whole_months_evidence(api: Api, company: Dataset) -> None:
    inputs = api.ok("GET", INPUTS, who=HR_AGENT)
    sessions, shifts = _october(company)

    assert inputs["scope"] == "all" and len(inputs["cs_accounts"]) == len(company.rows("cs_accounts"))
    assert {s["id"] for s in inputs["cs_sessions"]} == {s["id"] for s in sessions}
    assert len(inputs["cs_account_shifts"]) == len(shifts)
    assert len(inputs["agents"]) == len(company.rows("cs_agent_nicknames"))


def test_an_agent_gets_the_teams_accounts_but_only_their_own_figures_to_see(
    api: Api, company: Dataset
) -> None:
    # E1012 worked only two of the three shared accounts in October; colleagues worked all three
    own = {s["account_id"] for s in company.rows_of("cs_account_shifts", "E1012") if s["date"] < "2026-11"}
    inputs = api.ok("GET", INPUTS, who="E1012")

    assert len(own) == 2
    assert inputs["scope"] == "team" and inputs["agents"] == ["E1012"]
    assert {a["id"] for a in inputs["cs_accounts"]} == {"jd_shared_01", "jd_shared_02", "vip_shared_01"}
    assert inputs["employees"] == [{"id": "E1012", "name": "徐志强"}]
    assert len(inputs["cs_sessions"]) == len(_october(company)[0])


def test_a_manager_may_see_their_agents_and_other_employees_get_nothing(api: Api) -> None:
    manager = api.ok("GET", INPUTS, who=REVIEWER)
    outsider = api.ok("GET", INPUTS, who=TECH_HEAD)

    assert len(manager["agents"]) == 12 and STAFF in manager["agents"]
    assert outsider["scope"] == "none" and outsider["agents"] == []
    assert all(outsider[table] == [] for table in TABLES)


def test_the_inputs_need_a_month(api: Api) -> None:
    response = api.get("/crm/attribution-inputs")

    assert response.status_code == 400 and response.json()["field"] == "month"
