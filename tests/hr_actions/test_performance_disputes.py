"""Performance disputes through the bot (handbook 7.3), against the demo backend in-process.

Clock: Saturday 2026-11-21 10:00. The 2026Q3 results were published on Friday 11-20 and may be
disputed until Friday 11-27; 2026Q2's window closed on 08-28. E1008's reviewer is E1007; replies
reach the employee in the Thursday 19:00-21:00 feedback window, the next one 11-26.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.dispute_status import ActionPerformanceDisputeStatus, ActionReplyPerformanceDispute
from actions.dispute_wording import REQUESTS, ReplyRequest, reason_in, reply_in, request_of
from actions.performance_disputes import (
    FORM_NAME,
    FORM_SLOTS,
    NOT_SUBMITTED,
    REQUEST_SLOT,
    ActionAskDisputeConfirmed,
    ActionAskDisputePeriod,
    ActionPerformanceIntent,
    ActionSubmitPerformanceDispute,
    ValidatePerformanceDisputeForm,
)
from actions.when import SHANGHAI
from connector_support import REPO, backend_app, in_process_client, run
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, reference_now

STAFF, PEER, REVIEWER, HR_AGENT = "E1008", "E1009", "E1007", "E1002"
REASON = "OKR完成度漏算了双十一保障项目"
CONFIRMED = {"dispute_period": "2026Q3", "dispute_reason": REASON, "dispute_confirmed": True}
THURSDAY_WINDOW = datetime(2026, 11, 26, 19, 0, tzinfo=SHANGHAI)
Clock = Callable[[], datetime]


def domain() -> dict[str, Any]:
    text = (REPO / "actions" / "cs_performance_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "b.db"


@pytest.fixture()
def app(db: Path) -> Iterator[Any]:
    with backend_app(db) as served:
        yield served


def tracker(text: str, slots: Mapping[str, Any] | None = None, *, sender: str = STAFF,
            intent: str = "performance_query", requested: str | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    all_slots = {**{slot: None for slot in FORM_SLOTS}, REQUEST_SLOT: None, "requested_slot": requested,
                 **dict(slots or {})}
    return Tracker(sender, all_slots, message, [{"event": "user", "text": text, "parse_data": message}],
                   False, None, {"name": FORM_NAME} if requested else {}, "action_listen")


def act(app: Any, action_class: type[Action], text: str, slots: Mapping[str, Any] | None = None, *,
        sender: str = STAFF, intent: str = "performance_query", requested: str | None = None,
        clock: Clock = reference_now) -> Answer:
    action = action_class(lambda: in_process_client(app), clock=clock)
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker(text, slots, sender=sender, intent=intent,
                                                requested=requested), domain()))
    return Answer(messages=dispatcher.messages, events=events)


def slots_of(answer: Answer) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in answer.events if e.get("event") == "slot"}


# --- the fragment and the wording ----------------------------------------------------------------

def test_the_domain_fragment_declares_the_form_and_the_request_values_the_actions_use() -> None:
    fragment = domain()

    assert tuple(fragment["forms"][FORM_NAME]["required_slots"]) == FORM_SLOTS
    assert tuple(fragment["slots"][REQUEST_SLOT]["values"]) == REQUESTS
    assert {"action_performance_intent", f"validate_{FORM_NAME}", "action_submit_performance_dispute",
            "action_performance_dispute_status", "action_reply_performance_dispute",
            } <= set(fragment["actions"])


@pytest.mark.parametrize(("text", "wanted"), [
    ("我对绩效结果有异议", "dispute"), ("我要申诉绩效", "dispute"), ("绩效打分不公平", "dispute"),
    ("我的绩效申诉怎么样了", "dispute_status"), ("我的申诉有回复了吗", "dispute_status"),
    ("有待我回复的申诉吗", "dispute_status"),
    ("回复申诉 PD202600001:已复核", "dispute_reply"), ("PD202600001 回复:维持", "dispute_reply"),
    ("我上季度绩效是多少", "query"), ("我绩效怎么是C", "query"), ("我这个月接待了多少", "query"),
])
def test_what_a_performance_message_wants_is_read_from_its_wording(text: str, wanted: str) -> None:
    assert request_of(text) == wanted


def test_a_reason_and_a_reply_are_read_from_the_text() -> None:
    assert reason_in(f"我对绩效有异议,因为{REASON}。") == REASON
    assert reason_in("我要申诉绩效") is None
    assert reply_in("回复申诉 PD202600001:已复核,维持原评分") == ReplyRequest("PD202600001",
                                                                           "已复核,维持原评分")
    assert reply_in("回复申诉:已复核") == ReplyRequest(None, "已复核")


# --- starting the form ---------------------------------------------------------------------------

def test_a_dispute_pre_fills_the_only_open_result_and_the_reason_given(app: Any) -> None:
    answer = act(app, ActionPerformanceIntent, f"我对绩效结果有异议,因为{REASON}")

    assert slots_of(answer) == {REQUEST_SLOT: "dispute", "dispute_period": "2026Q3", "dispute_reason": REASON}


def test_other_wordings_only_set_the_request(app: Any) -> None:
    for text, request in (("我的绩效申诉怎么样了", "dispute_status"), ("我上季度绩效是多少", "query"),
                          ("回复申诉 PD202600001:已复核", "dispute_reply")):
        assert act(app, ActionPerformanceIntent, text).events == [
            {"event": "slot", "timestamp": None, "name": REQUEST_SLOT, "value": request}]


def test_with_no_result_in_its_window_a_dispute_goes_to_the_status_which_says_why(db: Path) -> None:
    december: Clock = lambda: datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)  # noqa: E731
    with backend_app(db, today="2026-12-01") as app:
        routed = act(app, ActionPerformanceIntent, "我要申诉绩效", clock=december)
        told = act(app, ActionPerformanceDisputeStatus, "我要申诉绩效", clock=december)

    assert slots_of(routed) == {REQUEST_SLOT: "dispute_status"}
    assert told.text.startswith("目前没有可以申诉的绩效结果:2026Q3的绩效结果已于11月20日公布")
    assert "已于11月27日截止(手册7.3)" in told.text


# --- the form ------------------------------------------------------------------------------------

def test_the_period_question_lists_the_open_results_as_buttons(app: Any) -> None:
    answer = act(app, ActionAskDisputePeriod, "我要申诉绩效")

    assert "2026Q3:85分(B),评审人宋俊杰,11月27日(周五)截止" in answer.text and "2026Q2" not in answer.text
    assert [b["payload"] for b in answer.buttons] == ["2026Q3"]


def test_a_result_past_its_window_is_refused_with_the_reason_and_asked_again(app: Any) -> None:
    answer = act(app, ValidatePerformanceDisputeForm, "Q2那次", intent="inform", requested="dispute_period")

    assert "已于8月28日截止(手册7.3)" in answer.text
    assert slots_of(answer) == {"dispute_period": None}


def test_a_pre_filled_period_is_checked_when_the_form_starts(app: Any) -> None:
    answer = act(app, ValidatePerformanceDisputeForm, "我要申诉第二季度绩效", {"dispute_period": "2026Q2"})

    assert "8月28日截止" in answer.text and slots_of(answer) == {"dispute_period": None}


def test_the_latest_result_and_the_reason_are_taken_as_answers(app: Any) -> None:
    latest = act(app, ValidatePerformanceDisputeForm, "最近这次", intent="inform", requested="dispute_period")
    reason = act(app, ValidatePerformanceDisputeForm, REASON, {"dispute_period": "2026Q3"}, intent="inform",
                 requested="dispute_reason")
    question = act(app, ValidatePerformanceDisputeForm, "申诉要写多久吗?", {"dispute_period": "2026Q3"},
                   requested="dispute_reason")

    assert slots_of(latest) == {"dispute_period": "2026Q3"}
    assert slots_of(reason) == {"dispute_reason": REASON}
    assert question.events == []


def test_a_change_after_the_summary_is_confirmed_anew(app: Any) -> None:
    answer = act(app, ValidatePerformanceDisputeForm, "不对,是第三季度", {"dispute_period": "2026Q2",
                 "dispute_reason": REASON, "dispute_confirmed": True}, intent="inform",
                 requested="dispute_confirmed")

    assert slots_of(answer) == {"dispute_period": "2026Q3", "dispute_confirmed": None}


def test_the_summary_shows_result_reason_reviewer_and_deadline(app: Any) -> None:
    answer = act(app, ActionAskDisputeConfirmed, "x", {"dispute_period": "2026Q3", "dispute_reason": REASON})

    for part in ("2026Q3 85分(等级B)", REASON, "处理人:宋俊杰", "11月27日(周五)截止", "每周四19:00-21:00"):
        assert part in answer.text
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


def test_an_unconfirmed_dispute_files_nothing(app: Any) -> None:
    answer = act(app, ActionSubmitPerformanceDispute, "取消", {**CONFIRMED, "dispute_confirmed": False},
                 intent="deny")

    assert answer.text == NOT_SUBMITTED and all(v is None for v in slots_of(answer).values())
    assert "还没有提交过绩效申诉" in act(app, ActionPerformanceDisputeStatus, "我的绩效申诉怎么样了").text


# --- end to end: file -> reply -> status before and after the window -----------------------------

def test_a_dispute_reaches_the_reviewer_and_the_reply_arrives_in_the_thursday_window(db: Path) -> None:
    with backend_app(db) as app:
        filed = act(app, ActionSubmitPerformanceDispute, "确认提交", CONFIRMED, intent="affirm")
        waiting = act(app, ActionPerformanceDisputeStatus, "我的绩效申诉怎么样了").text
        to_review = act(app, ActionPerformanceDisputeStatus, "有待我回复的申诉吗", sender=REVIEWER).text
        replied = act(app, ActionReplyPerformanceDispute,
                      "回复申诉 PD202600001:已复核,双十一项目计入后评为88分", sender=REVIEWER).text
        before = act(app, ActionPerformanceDisputeStatus, "我的绩效申诉怎么样了").text

    assert filed.text.startswith("您的申诉已提交给宋俊杰(编号PD202600001,2026Q3绩效结果)")
    assert "回复会在每周四19:00-21:00反馈窗口送达,最近一次是11月26日(周四)19:00-21:00" in filed.text
    assert all(v is None for v in slots_of(filed).values())
    assert "待宋俊杰回复" in waiting
    assert f"PD202600001:吴婉清 2026Q3(85分,B),理由:{REASON}" in to_review
    assert replied == ("已回复申诉PD202600001(吴婉清 2026Q3绩效)。"
                       "按手册7.3,回复将于11月26日(周四)19:00起的反馈窗口送达吴婉清。")
    assert "已回复,将于11月26日(周四)19:00起的反馈窗口送达" in before and "88分" not in before

    with backend_app(db, today="2026-11-26T19:00") as app:
        after = act(app, ActionPerformanceDisputeStatus, "我的绩效申诉怎么样了",
                    clock=lambda: THURSDAY_WINDOW).text

    assert "宋俊杰的回复(11月26日(周四)19:00送达):“已复核,双十一项目计入后评为88分”" in after
    assert "将于" not in after


def test_a_reply_inside_the_window_is_delivered_at_once(db: Path) -> None:
    with backend_app(db) as app:
        act(app, ActionSubmitPerformanceDispute, "确认", CONFIRMED, intent="affirm")
    evening: Clock = lambda: datetime(2026, 11, 26, 20, 0, tzinfo=SHANGHAI)  # noqa: E731
    with backend_app(db, today="2026-11-26T20:00") as app:
        replied = act(app, ActionReplyPerformanceDispute, "回复申诉:已复核", sender=REVIEWER,
                      clock=evening).text
        seen = act(app, ActionPerformanceDisputeStatus, "我的申诉有回复了吗", clock=evening).text

    assert "现在正是反馈窗口(11月26日(周四)19:00-21:00),回复已送达吴婉清" in replied
    assert "“已复核”" in seen


def test_only_the_reviewer_may_reply(app: Any) -> None:
    act(app, ActionSubmitPerformanceDispute, "确认", CONFIRMED, intent="affirm")

    by_hr = act(app, ActionReplyPerformanceDispute, "回复申诉 PD202600001:收到", sender=HR_AGENT).text
    by_peer = act(app, ActionReplyPerformanceDispute, "回复申诉 PD202600001:收到", sender=PEER).text

    assert by_hr == "只有该申诉的处理人宋俊杰可以回复(手册7.3)"
    assert by_peer.startswith("没有找到编号为PD202600001的绩效申诉")
