"""The attribution engine on hand-built situations with known answers (handbook 7.2)."""

from __future__ import annotations

import pytest
from cs_cases import attribute, session, shift

from hrbot.cs.engine import AttributionOptions

MORNING = shift("A01", "09:00", "15:00")
AFTERNOON = shift("A02", "15:00", "21:00")
HELPER = shift("A03", "14:00", "16:00")


def test_a_signature_decides_even_when_two_agents_are_logged_in() -> None:
    result = attribute([MORNING, HELPER], [session("S1", "14:30", "您好,我是客服小满,很高兴为您服务")])

    assert result["S1"].agent_id == "A03"
    assert result["S1"].method == "signature"
    assert result["S1"].shares == {"A03": 1.0}
    assert result["S1"].confidence >= 0.99


@pytest.mark.parametrize(
    "message",
    [
        "【小乐】为您服务",
        "客服 小 乐 在线",
        "您好,我是客服小樂",
        "乐乐为您服务哦",
        "ＨＩ,我是客服小乐!",
        "您好~这里是小乐呀",
    ],
)
def test_a_signature_written_with_a_variation_still_names_the_agent(message: str) -> None:
    result = attribute([MORNING, HELPER, AFTERNOON], [session("S1", "15:30", message)])

    assert result["S1"].agent_id == "A02"
    assert result["S1"].method == "signature"


def test_a_session_with_one_agent_logged_in_goes_to_that_agent() -> None:
    result = attribute([MORNING, AFTERNOON], [session("S1", "10:15"), session("S2", "18:40")])

    assert (result["S1"].agent_id, result["S2"].agent_id) == ("A01", "A02")
    assert result["S1"].method == "login"
    assert result["S1"].confidence == pytest.approx(0.97)


def test_an_unsigned_session_in_an_overlap_is_shared_between_the_agents_logged_in() -> None:
    result = attribute([MORNING, HELPER], [session("S1", "14:20")])

    outcome = result["S1"]
    assert set(outcome.shares) == {"A01", "A03"}
    assert sum(outcome.shares.values()) == pytest.approx(1.0, abs=1e-9)
    assert outcome.agent_id in {"A01", "A03"}
    assert outcome.confidence < 0.9
    assert {e.kind for e in outcome.evidence} >= {"login"}


def test_a_session_running_past_a_shift_change_stays_with_the_agent_who_took_it() -> None:
    result = attribute([MORNING, AFTERNOON], [session("S1", "14:40", end="15:25", first_response=40)])

    assert result["S1"].agent_id == "A01"
    assert result["S1"].shares == {"A01": 1.0}


def test_a_session_answered_after_the_first_agent_logged_out_goes_mostly_to_the_next() -> None:
    # arrives 14:59, first answer 15:01: A01 had gone at 15:00, A02 had just logged in
    result = attribute([MORNING, AFTERNOON], [session("S1", "14:59", first_response=120)])

    outcome = result["S1"]
    assert outcome.agent_id == "A02"
    assert outcome.shares["A02"] > outcome.shares.get("A01", 0.0)
    assert "login_left_before_answer" in {e.kind for e in outcome.evidence}


def test_a_session_answered_by_the_overlapping_colleague_after_a_logout() -> None:
    # A01 leaves at 15:00 before answering; the helper A03 was there all along
    result = attribute([MORNING, HELPER], [session("S1", "14:59:30", first_response=90)])

    assert result["S1"].agent_id == "A03"


def test_missing_logins_are_filled_in_from_the_agents_signatures_nearby() -> None:
    # A02 worked the afternoon without any login record; signed two sessions
    sessions = [
        session("S1", "16:00", "您好,我是客服小乐,很高兴为您服务"),
        session("S2", "16:45"),
        session("S3", "17:30", "您好,我是客服小乐,很高兴为您服务"),
    ]
    result = attribute([MORNING], sessions)

    assert result["S1"].agent_id == "A02"
    assert result["S1"].confidence >= 0.9
    assert result["S2"].agent_id == "A02"
    assert result["S2"].method == "signed_nearby"
    assert any(e.kind == "no_login" for e in result["S2"].evidence)


def test_a_login_recorded_a_few_minutes_late_still_counts() -> None:
    result = attribute([shift("A01", "09:10", "15:00")], [session("S1", "09:04")])

    assert result["S1"].agent_id == "A01"
    assert result["S1"].method == "login_nearby"
    assert result["S1"].confidence < 0.9


def test_with_no_login_and_no_signature_the_usual_roster_is_a_low_confidence_guess() -> None:
    shifts = [shift("A01", "09:00", "15:00", day=f"2026-10-0{d}") for d in (5, 6, 7)]
    result = attribute(shifts, [session("S1", "10:00", day="2026-10-08")])

    assert result["S1"].agent_id == "A01"
    assert result["S1"].method == "roster"
    assert result["S1"].confidence <= 0.5


def test_a_session_nothing_points_at_is_left_unattributed_rather_than_guessed() -> None:
    result = attribute([], [session("S1", "10:00")])

    assert result["S1"].agent_id is None
    assert result["S1"].method == "unattributed"
    assert result["S1"].shares == {}


def test_a_colleague_named_in_an_unsigned_greeting_is_not_a_signature() -> None:
    result = attribute([MORNING], [session("S1", "11:00", "亲,在的哦,小乐刚刚下线了,我来继续为您服务")])

    assert result["S1"].agent_id == "A01"
    assert "mention" in {e.kind for e in result["S1"].evidence}


def test_a_nickname_that_is_also_a_word_is_not_taken_for_a_signature() -> None:
    result = attribute([MORNING], [session("S1", "11:00", "小满节气店铺有优惠哦")])

    assert result["S1"].agent_id == "A01"


def test_a_signature_outweighs_the_login_record_of_someone_else() -> None:
    result = attribute([MORNING], [session("S1", "11:00", "您好,我是客服小美,很高兴为您服务")])

    assert result["S1"].agent_id == "A04"
    assert result["S1"].confidence == pytest.approx(0.9)
    assert "signature_over_login" in {e.kind for e in result["S1"].evidence}


def test_a_nickname_two_agents_share_is_settled_by_who_was_logged_in() -> None:
    nicknames = {"A01": "小禾", "A02": "小美", "A04": "小美"}
    result = attribute(
        [shift("A04", "09:00", "15:00")], [session("S1", "11:00", "我是客服小美")], nicknames=nicknames
    )

    assert result["S1"].agent_id == "A04"
    assert result["S1"].method == "signature"


def test_a_personal_account_belongs_to_its_owner() -> None:
    accounts = [{"id": "tmall_a01", "platform": "tmall", "shared": False, "owner": "A01"}]
    result = attribute([], [session("S1", "11:00", account="tmall_a01")], accounts=accounts)

    assert result["S1"].agent_id == "A01"
    assert result["S1"].method == "account_owner"


def test_the_rule_tie_breakers_follow_their_rule() -> None:
    sessions = [session("S1", "14:20")]

    first = attribute([MORNING, HELPER], sessions, AttributionOptions(tie_breaker="first_login"))
    last = attribute([MORNING, HELPER], sessions, AttributionOptions(tie_breaker="last_login"))

    assert first["S1"].agent_id == "A01"
    assert last["S1"].agent_id == "A03"
    assert first["S1"].shares == {"A01": 1.0}
