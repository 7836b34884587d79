"""The performance dispute form (handbook 7.3), reached through `performance_query`.

`action_performance_intent` reads what a performance message wants (`actions.dispute_wording`:
figures, a dispute, a dispute's status, a reviewer's reply) into the slot `performance_request`,
which the rules branch on. For a dispute it also pre-fills what the message says — the period
("上季度", "2026Q3"; the only result in its dispute window when none is named) and a reason given
along the way — so the form validates them at activation; when no result is in its window it
sends the conversation to the status action instead, which says why nothing can be filed.
`validate_performance_dispute_form` checks the period against HRM's dispute windows (published,
5 working days, once per period) and takes the reason. `action_ask_dispute_period` lists the
results open to dispute, `action_ask_dispute_confirmed` shows the dispute, and
`action_submit_performance_dispute` files it with HRM (or says nothing was filed) and empties the
form. The reviewer's answer reaches the employee in the Thursday 19:00-21:00 feedback window.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ConnectorError
from actions.dispute_wording import DISPUTE, DISPUTE_STATUS, means_latest, reason_in, request_of
from actions.identity import UnknownEmployee
from actions.performance import requested_period
from actions.replies import format_date
from actions.when import day_of, latest_text, message_month

FORM_NAME = "performance_dispute_form"
REQUEST_SLOT = "performance_request"
PERIOD_SLOT = "dispute_period"
REASON_SLOT = "dispute_reason"
CONFIRMED_SLOT = "dispute_confirmed"
FORM_SLOTS = (PERIOD_SLOT, REASON_SLOT, CONFIRMED_SLOT)
LATEST = "latest"
"""What the validator reads from "最近这次": the latest result open to dispute."""

MAX_REASON_CHARS = 1000
MIN_REASON_CHARS = 4
CONFIRM_BUTTONS = ({"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"})
NOT_SUBMITTED = "好的,这次没有提交绩效申诉。需要时随时再找我。"
REASON_HINT = "请具体说明申诉理由,例如「OKR完成度漏算了双十一保障项目」。"
NOT_ANSWERS = frozenset({"affirm", "deny", "greet", "goodbye", "thank", "human_handoff", "bot_challenge"})
FORM_TURN_ACTIONS = frozenset({
    "action_listen", "action_extract_slots", FORM_NAME, f"validate_{FORM_NAME}", "action_performance_intent",
})
QUESTION_ENDINGS = ("?", "？", "吗", "呢")

logger = logging.getLogger(__name__)


# --- reading the message ---------------------------------------------------------------------

def period_in(text: str, month: str | None, today: date) -> str | None:
    """The review period a message names ("2026Q3", "上季度", "第三季度", a month's quarter)."""
    return requested_period(text, month, today)


def read_answer(text: str, intent: str | None, requested: str | None, month: str | None,
                today: date) -> dict[str, Any]:
    """What a message inside the form says: a period (any time; "最近这次" only when asked for
    the period) and, when the reason was asked, the reason (a bare question is no reason)."""
    found: dict[str, Any] = {}
    period = period_in(text, month, today)
    if period is not None:
        found[PERIOD_SLOT] = period
    elif requested == PERIOD_SLOT and means_latest(text):
        found[PERIOD_SLOT] = LATEST
    answer = text.strip()
    if (requested == REASON_SLOT and intent not in NOT_ANSWERS and answer and not found
            and not answer.endswith(QUESTION_ENDINGS)):
        found[REASON_SLOT] = answer
    return found


def answered_elsewhere(tracker: Tracker) -> bool:
    """Whether another action answered the latest message (the form came back after an
    interruption): its text is then no answer to the form's question."""
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            return False
        if kind == "action" and event.get("name") not in FORM_TURN_ACTIONS:
            return True
    return False


def _intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


# --- HRM's dispute windows -------------------------------------------------------------------

def standings(eligibility: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The employee's results with their window, newest first."""
    return [r for r in eligibility.get("reviews") or [] if isinstance(r, Mapping)]


def open_standings(eligibility: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in standings(eligibility) if r.get("open")]


def deadline_words(standing: Mapping[str, Any], today: date) -> str:
    day = day_of(standing.get("deadline"))
    return f"{format_date(day, today=today)}截止" if day else ""


def describe_result(standing: Mapping[str, Any]) -> str:
    """"2026Q3:85分(B),评审人宋俊杰"."""
    reviewer = (standing.get("reviewer") or {}).get("name") or "主管"
    return f"{standing.get('period')}:{standing.get('score')}分({standing.get('grade')}),评审人{reviewer}"


def period_problem(period: str, eligibility: Mapping[str, Any]) -> str | None:
    """Why `period` cannot be disputed now (HRM's reason, or no such result), else None."""
    standing = next((r for r in standings(eligibility) if r.get("period") == period), None)
    if standing is None:
        known = "、".join(str(r.get("period")) for r in standings(eligibility)) or "无"
        return f"没有查到您{period}的绩效结果。已有的考核期:{known}。"
    if not standing.get("open"):
        return f"{standing.get('problem') or f'{period}目前不能申诉'}。"
    return None


def open_list(eligibility: Mapping[str, Any], today: date) -> str:
    """The results open to dispute, one per line, or the sentence that there are none."""
    found = open_standings(eligibility)
    if not found:
        return "目前没有处于申诉期内的绩效结果(手册7.3:结果公布后5个工作日内可以申诉)。"
    return "\n".join(f"· {describe_result(r)},{deadline_words(r, today)}" for r in found)


# --- action_performance_intent ---------------------------------------------------------------

class ActionPerformanceIntent(HRAccess, Action):  # type: ignore[misc]
    """Sets `performance_request` (query / dispute / dispute_status / dispute_reply) for the
    rules to branch on; for a dispute pre-fills the form from the message and HRM's windows (see
    the module). Always returns the SlotSet, even when the value is unchanged."""

    def name(self) -> str:
        return "action_performance_intent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        text = latest_text(tracker)
        request = request_of(text)
        events: EventList = []
        if request == DISPUTE:
            request, values = await self._dispute_start(tracker, text)
            events = [SlotSet(slot, value) for slot, value in values.items()
                      if tracker.get_slot(slot) != value]
        return [SlotSet(REQUEST_SLOT, request), *events]

    async def _dispute_start(self, tracker: Tracker, text: str) -> tuple[str, dict[str, Any]]:
        today = self.today()
        values: dict[str, Any] = {PERIOD_SLOT: period_in(text, message_month(tracker), today),
                                  REASON_SLOT: reason_in(text), CONFIRMED_SLOT: None}
        try:
            async with self.query(tracker) as query:
                eligibility = await query.hr.hrm.dispute_eligibility()
        except (ConnectorError, UnknownEmployee) as error:
            logger.warning("dispute windows not read for %s: %s", tracker.sender_id, error)
            return DISPUTE, values  # the form's actions say what went wrong
        found = open_standings(eligibility)
        if not found:
            return DISPUTE_STATUS, {}
        if values[PERIOD_SLOT] is None and len(found) == 1:
            values[PERIOD_SLOT] = str(found[0].get("period"))
        return DISPUTE, values


# --- validate_performance_dispute_form -------------------------------------------------------

class ValidatePerformanceDisputeForm(HRAccess, Action):  # type: ignore[misc]
    """Takes the period and the reason from each answer. A period is checked against HRM's
    dispute windows when it is new or the form has just started (pre-filled); one that cannot be
    disputed is refused with HRM's reason and the form asks again. A change after the summary is
    confirmed anew. Returns only changes, so a message that answers nothing is rejected as in
    Rasa (and "算了" reaches the cancel rule)."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        requested = tracker.get_slot("requested_slot")
        requested = requested if requested in FORM_SLOTS else None
        today = self.today()
        found = {} if answered_elsewhere(tracker) else read_answer(
            latest_text(tracker), _intent(tracker), requested, message_month(tracker), today)
        changes = {slot: value for slot, value in found.items() if tracker.get_slot(slot) != value}
        refused: set[str] = set()
        period = changes.get(PERIOD_SLOT, tracker.get_slot(PERIOD_SLOT))
        if period is not None and (PERIOD_SLOT in changes or requested is None):
            checked, problem = await self._check_period(tracker, str(period))
            if problem:
                dispatcher.utter_message(text=problem)
                refused.add(PERIOD_SLOT)
            changes[PERIOD_SLOT] = checked
        reason = changes.get(REASON_SLOT)
        if isinstance(reason, str) and not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
            dispatcher.utter_message(text=REASON_HINT if len(reason) < MIN_REASON_CHARS
                                     else f"申诉理由最多{MAX_REASON_CHARS}个字,请简要说明。")
            changes[REASON_SLOT] = None
            refused.add(REASON_SLOT)
        if {PERIOD_SLOT, REASON_SLOT} & changes.keys() and tracker.get_slot(CONFIRMED_SLOT) is not None:
            changes[CONFIRMED_SLOT] = None  # a changed dispute is confirmed anew
        # a refused answer is set to None even when it was None: said, so the form asks again
        # instead of being rejected
        return [SlotSet(slot, value) for slot, value in changes.items()
                if tracker.get_slot(slot) != value or slot in refused]

    async def _check_period(self, tracker: Tracker, period: str) -> tuple[str | None, str | None]:
        """(the period to keep or None, what to tell the employee)."""
        try:
            async with self.query(tracker) as query:
                eligibility = await query.hr.hrm.dispute_eligibility()
        except (ConnectorError, UnknownEmployee) as error:
            return None, str(error.user_message)
        if period == LATEST:
            found = open_standings(eligibility)
            if not found:
                return None, open_list(eligibility, self.today())
            return str(found[0].get("period")), None
        problem = period_problem(period, eligibility)
        return (None, problem) if problem else (period, None)


# --- the questions ---------------------------------------------------------------------------

class ActionAskDisputePeriod(HRAction):
    """Asks which result is disputed, listing those in their dispute window as buttons."""

    action_name = f"action_ask_{PERIOD_SLOT}"

    async def answer(self, query: Query) -> Reply:
        eligibility = await query.hr.hrm.dispute_eligibility()
        found = open_standings(eligibility)
        if not found:
            return Reply(open_list(eligibility, query.today) + "如不再申诉,回复「算了」即可。")
        buttons = [{"title": str(r.get("period")), "payload": str(r.get("period"))} for r in found]
        listed = open_list(eligibility, query.today)
        return Reply(f"请问您对哪一期的绩效结果有异议?目前在申诉期内的有:\n{listed}", buttons=buttons)


class ActionAskDisputeConfirmed(HRAction):
    """Asks for `dispute_confirmed` with the dispute: the result, who will answer, the reason,
    the deadline, and when answers arrive (7.3), with 确认提交 / 取消."""

    action_name = f"action_ask_{CONFIRMED_SLOT}"

    async def answer(self, query: Query) -> Reply:
        tracker = query.tracker
        period, reason = tracker.get_slot(PERIOD_SLOT), tracker.get_slot(REASON_SLOT)
        eligibility = await query.hr.hrm.dispute_eligibility()
        standing = next((r for r in standings(eligibility) if r.get("period") == period), None)
        if standing is None or not reason:
            return Reply("申诉信息还不完整,请再说一下对哪一期绩效有异议、理由是什么。")
        reviewer = (standing.get("reviewer") or {}).get("name") or "主管"
        lines = ["请确认您的绩效申诉:",
                 f"· 考核结果:{standing.get('period')} {standing.get('score')}分"
                 f"(等级{standing.get('grade')})",
                 f"· 申诉理由:{reason}",
                 f"· 处理人:{reviewer}",
                 f"· 申诉期:结果公布后5个工作日内,{deadline_words(standing, query.today)}",
                 "主管每周四19:00-21:00集中回复绩效反馈(手册7.3)。确认提交吗?"]
        return Reply("\n".join(lines), buttons=CONFIRM_BUTTONS)


# --- action_submit_performance_dispute -------------------------------------------------------

def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def window_words(window: Mapping[str, Any] | None, today: date) -> str:
    """"11月26日(周四)19:00-21:00" of a feedback window {start, end}."""
    start = str((window or {}).get("start") or "")
    end = str((window or {}).get("end") or "")
    day = day_of(start)
    if day is None:
        return "每周四19:00-21:00"
    return f"{format_date(day, today=today)}{start[11:16]}-{end[11:16]}"


class ActionSubmitPerformanceDispute(HRAction):
    """After the form: files the confirmed dispute with HRM and says who it went to and when the
    answer comes, or relays HRM's refusal; unconfirmed, says nothing was filed. Always empties
    the form's slots."""

    action_name = "action_submit_performance_dispute"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        if (tracker.get_slot(CONFIRMED_SLOT) is True and tracker.get_slot(PERIOD_SLOT)
                and tracker.get_slot(REASON_SLOT)):
            events: EventList = await super().run(dispatcher, tracker, domain)
            return events + _form_reset()
        dispatcher.utter_message(text=NOT_SUBMITTED)
        return _form_reset()

    async def answer(self, query: Query) -> Reply:
        tracker = query.tracker
        period, reason = str(tracker.get_slot(PERIOD_SLOT)), str(tracker.get_slot(REASON_SLOT))
        dispute = await query.hr.hrm.file_performance_dispute(period, reason)
        reviewer = (dispute.get("reviewer") or {}).get("name") or "您的主管"
        window = window_words(dispute.get("next_feedback_window"), query.today)
        return Reply(f"您的申诉已提交给{reviewer}(编号{dispute.get('id')},{period}绩效结果)。"
                     f"回复会在每周四19:00-21:00反馈窗口送达,最近一次是{window}。"
                     "想了解进度,随时问我「我的绩效申诉怎么样了」。")
