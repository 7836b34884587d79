"""The leave request form: `validate_leave_form` checks each answer and, once type, dates and
length are known, asks OA's preview whether the handbook allows the request (clearing the slot at
fault so the form asks again); `action_ask_leave_confirmed` shows what would be filed before the
employee confirms; `action_submit_leave_request` files it, or says it was not filed.

Slot values (the intents contract): `leave_type` a code of `LEAVE_TYPE_NAMES`, `date` "YYYY-MM-DD"
or {"from", "to"}, `duration` days (a multiple of 0.5), `leave_half_day` "morning"/"afternoon" (asked
only for half a day, read from "上午"/"下午" in any message of the form), `leave_reason` text,
`leave_confirmed` bool. A change to type, dates, length or half day after it was given
("不对,改成后天") is acknowledged ("好的,日期改为…") before the form goes on.
`duration` is not asked when `date` is a span of several days (the span says how long) or the type
has a fixed length (marriage, maternity, paternity, bereavement: the handbook's length is taken).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.base import SYSTEMS_DOWN_MESSAGE, EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ConnectorError
from actions.connectors.oa import LeaveInput
from actions.identity import UnknownEmployee
from actions.leave_queries import LAST_LEAVE_REQUEST_SLOT
from actions.replies import LEAVE_TYPE_NAMES, format_date_span, format_days
from actions.when import DateSpan, day_of, span_of

FORM_NAME = "leave_form"
HALF_DAY_SLOT = "leave_half_day"
FORM_SLOTS = ("leave_type", "date", "duration", HALF_DAY_SLOT, "leave_reason", "leave_confirmed")
COSTED_SLOTS = frozenset({"leave_type", "date", "duration", HALF_DAY_SLOT})
FIXED_LENGTH_DAYS: Mapping[str, float] = {"marriage": 3, "maternity": 98, "paternity": 15, "bereavement": 3}
"""Handbook 2.5-2.8: the length taken when the employee names no duration."""
RETROACTIVE_TYPES = frozenset({"sick"})
"""Types the backend accepts for days already past (sick leave, within 2 working days, 2.9)."""

# Backend problem codes whose fix is another length; every other problem is fixed by other dates.
LENGTH_PROBLEMS = frozenset({
    "insufficient_balance", "yearly_cap_exceeded", "exceeds_entitlement", "half_day_minimum",
    "unsupported_span", "days_mismatch",
})
HALF_DAY_NAMES = {"morning": "上午", "afternoon": "下午"}
HALF_DAY_WORDS = (
    ("afternoon", re.compile(r"下午|午后|后半天")),
    ("morning", re.compile(r"上午|早上|前半天")),
)
CONFIRM_BUTTONS = ({"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"})

logger = logging.getLogger(__name__)


# --- slot values -----------------------------------------------------------------------------

def leave_type_of(value: Any) -> str | None:
    """A contract leave type code ("annual"), case and spaces ignored; None for anything else."""
    if isinstance(value, str) and value.strip().lower() in LEAVE_TYPE_NAMES:
        return value.strip().lower()
    return None


def date_of(value: Any) -> DateSpan | None:
    """The span a `date` slot value means; a list (several date entities) gives its first valid one."""
    if isinstance(value, list):
        return next((span for span in map(span_of, value) if span), None)
    return span_of(value)


def date_value(span: DateSpan) -> str | dict[str, str]:
    """The contract form of a span: "YYYY-MM-DD" for one day, else {"from", "to"}."""
    if span.single_day:
        return span.start.isoformat()
    return {"from": span.start.isoformat(), "to": span.end.isoformat()}


def duration_of(value: Any) -> float | None:
    """Days as a positive multiple of 0.5 (the smallest unit, handbook 2.9); None otherwise."""
    if isinstance(value, bool):
        return None
    try:
        days = float(value)
    except (TypeError, ValueError):
        return None
    return days if days > 0 and days * 2 == int(days * 2) else None


def half_day_in(text: str) -> str | None:
    """"afternoon" for "明天下午请半天", "morning" for "上午", None when the text names neither
    (or both)."""
    found = [code for code, words in HALF_DAY_WORDS if words.search(text)]
    return found[0] if len(found) == 1 else None


def needs_half_day(slots: Mapping[str, Any]) -> bool:
    """Whether the form must ask which half: a half day on one date."""
    span = date_of(slots.get("date"))
    return duration_of(slots.get("duration")) == 0.5 and (span is None or span.single_day)


def needs_duration(slots: Mapping[str, Any]) -> bool:
    """Whether the form must ask how long: not for a span of several days or a fixed-length type."""
    span = date_of(slots.get("date"))
    if span is not None and not span.single_day:
        return False
    return leave_type_of(slots.get("leave_type")) not in FIXED_LENGTH_DAYS


def leave_input_of(slots: Mapping[str, Any]) -> LeaveInput | None:
    """The request the slots describe, or None while type, dates or (when needed) length are missing.
    A span of several days is sent as start and end (the backend counts its working days)."""
    leave_type, span = leave_type_of(slots.get("leave_type")), date_of(slots.get("date"))
    if leave_type is None or span is None:
        return None
    reason = slots.get("leave_reason")
    reason = reason.strip() if isinstance(reason, str) and reason.strip() else None
    if not span.single_day:
        return LeaveInput(leave_type, span.start, end=span.end, reason=reason)
    days = duration_of(slots.get("duration"))
    if days is None:
        if leave_type not in FIXED_LENGTH_DAYS:
            return None
        days = FIXED_LENGTH_DAYS[leave_type]
    half = slots.get(HALF_DAY_SLOT)
    half_day = half if days == 0.5 and half in HALF_DAY_NAMES else None
    return LeaveInput(leave_type, span.start, days=days, half_day=half_day, reason=reason)


def _slot_at_fault(code: str, slots: Mapping[str, Any]) -> str:
    return "duration" if code in LENGTH_PROBLEMS and needs_duration(slots) else "date"


# --- validate_leave_form -------------------------------------------------------------------

class ValidateLeaveForm(HRAccess, FormValidationAction):  # type: ignore[misc]
    """Checks each answer; once type, dates and length are known (and one of them changed this
    turn), asks OA's preview and, for every rule the request breaks, says the backend's reason and
    clears the slot that must change, so the form asks for it again."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        skipped = set()
        if not needs_duration(tracker.slots):
            skipped.add("duration")
        if not needs_half_day(tracker.slots):
            skipped.add(HALF_DAY_SLOT)
        return [slot for slot in domain_slots if slot not in skipped]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Always names the next slot (rasa_sdk leaves it to the form only when required_slots was
        not narrowed), so the form asks the same thing whether or not `duration` is skipped."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        event: dict[str, Any] = SlotSet(REQUESTED_SLOT, missing)
        return event

    async def extract_leave_half_day(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """"上午"/"下午" in any message of the form (a custom slot mapping, as rasa_sdk runs it)."""
        half = half_day_in(str((tracker.latest_message or {}).get("text") or ""))
        if half is None or half == tracker.get_slot(HALF_DAY_SLOT):
            return {}
        return {HALF_DAY_SLOT: half}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        changed = set(tracker.slots_to_validate())
        before = values_before_this_message(tracker)
        events: EventList = await super().get_validation_events(dispatcher, tracker, domain)
        cleared = await self._check_with_backend(dispatcher, tracker) if changed & COSTED_SLOTS else set()
        for slot in cleared:
            tracker.slots[slot] = None
        kept = [event for event in events if event.get("name") not in cleared]
        acknowledged = corrections(before, kept, self.today())  # only what the backend accepted
        if acknowledged:
            dispatcher.utter_message(text=acknowledged)
        return kept + [SlotSet(slot, None) for slot in sorted(cleared)]

    async def _check_with_backend(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> set[str]:
        """The slots to ask again after OA's preview, its reasons already said."""
        leave = leave_input_of(tracker.slots)
        if leave is None:
            return set()
        try:
            async with self.query(tracker) as query:
                preview = await query.hr.oa.preview_leave(leave)
        except (ConnectorError, UnknownEmployee) as error:
            dispatcher.utter_message(text=error.user_message)
            return set()
        except Exception:
            logger.exception("the leave preview failed for sender %s", tracker.sender_id)
            dispatcher.utter_message(text=SYSTEMS_DOWN_MESSAGE)
            return set()
        problems = [p for p in preview.get("problems") or [] if isinstance(p, Mapping)]
        if not problems:
            return set()
        dispatcher.utter_message(text="\n".join(str(p.get("message") or "") for p in problems))
        return {_slot_at_fault(str(p.get("error") or ""), tracker.slots) for p in problems}

    def validate_leave_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        leave_type = leave_type_of(value)
        if leave_type is None:
            names = "、".join(LEAVE_TYPE_NAMES.values())
            dispatcher.utter_message(text=f"抱歉,没有这种假期类型。可以申请的有:{names}。")
        return {"leave_type": leave_type}

    def validate_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        span = date_of(value)
        if span is None:
            dispatcher.utter_message(text="没有听懂是哪一天,请说具体日期,比如「11月24日」或「下周二到周四」。")
            return {"date": None}
        today = self.today()
        if span.start < today and leave_type_of(tracker.get_slot("leave_type")) not in RETROACTIVE_TYPES:
            dispatcher.utter_message(text="请假的开始日期不能早于今天(只有病假可以事后补交,手册2.9),"
                                          "请换一个日期。")
            return {"date": None}
        return {"date": date_value(span)}

    def validate_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        days = duration_of(value)
        if days is None:
            dispatcher.utter_message(text="最小请假单位是半天(手册2.9),请说0.5天、1天、1.5天这样的天数。")
        return {"duration": days}

    def validate_leave_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        reason = value.strip() if isinstance(value, str) else ""
        if set(tracker.slots_to_validate()) & COSTED_SLOTS:
            # "不对,改成下周四" while the reason was asked corrects the request; it is no reason
            return {"leave_reason": None}
        return {"leave_reason": reason or None}

    def validate_leave_half_day(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {HALF_DAY_SLOT: value if value in HALF_DAY_NAMES else None}

    def validate_leave_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"leave_confirmed": value if isinstance(value, bool) else None}


def values_before_this_message(tracker: Tracker) -> dict[str, Any]:
    """The form's slot values as they were before the latest user message."""
    values: dict[str, Any] = {}
    events = list(tracker.events or [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") in COSTED_SLOTS:
            values[str(event["name"])] = event.get("value")
        elif event.get("event") in ("restart", "session_started"):
            values.clear()
    return values


def _described(slot: str, value: Any, today: Any) -> str | None:
    if slot == "leave_type":
        code = leave_type_of(value)
        return f"类型改为{LEAVE_TYPE_NAMES[code]}" if code else None
    if slot == "date":
        span = date_of(value)
        return f"日期改为{format_date_span(span.start, span.end, today=today)}" if span else None
    if slot == "duration":
        days = duration_of(value)
        return f"天数改为{format_days(days)}" if days else None
    if slot == HALF_DAY_SLOT:
        return f"改为{HALF_DAY_NAMES[value]}" if value in HALF_DAY_NAMES else None
    return None


def corrections(before: Mapping[str, Any], events: EventList, today: Any) -> str | None:
    """"好的,日期改为11月24日(周二)。" for each type, date, length or half day that had a value
    and was changed to another valid one by this message; None when nothing was corrected."""
    changes = []
    for event in events:
        slot, value = event.get("name"), event.get("value")
        if slot in COSTED_SLOTS and before.get(slot) is not None and value is not None \
                and value != before.get(slot):
            described = _described(str(slot), value, today)
            if described and described not in changes:
                changes.append(described)
    return f"好的,{'、'.join(changes)}。" if changes else None


# --- action_ask_leave_confirmed ------------------------------------------------------------

def _when(answer: Mapping[str, Any], query: Query) -> str:
    start, end = day_of(answer.get("start")), day_of(answer.get("end"))
    if start is None or end is None or end < start:
        return ""
    half_day = HALF_DAY_NAMES.get(str(answer.get("half_day")), "")
    return format_date_span(start, end, today=query.today) + half_day


def _balance_line(preview: Mapping[str, Any], name: str) -> str | None:
    balance = preview.get("balance")
    if not isinstance(balance, Mapping) or balance.get("before") is None:
        return None
    return f"· {name}余额:现有{format_days(balance['before'])},提交后剩{format_days(balance['after'])}"


class ActionAskLeaveConfirmed(HRAction):
    """Asks for `leave_confirmed` with what would be filed, as OA's preview costs it: type, dates
    with weekdays, working days used, balance after, reason and approval."""

    action_name = "action_ask_leave_confirmed"

    async def answer(self, query: Query) -> Reply:
        leave = leave_input_of(query.tracker.slots)
        if leave is None:
            return Reply("请假信息还不完整,请再说一下请假类型和日期。")
        preview = await query.hr.oa.preview_leave(leave)
        name = LEAVE_TYPE_NAMES[leave.leave_type]
        unit = "自然日" if leave.leave_type == "maternity" else "工作日"
        lines = [
            "请确认您的请假申请:",
            f"· 类型:{name}",
            f"· 日期:{_when(preview, query)}",
            f"· 天数:{format_days(preview.get('days') or 0)}(按{unit}计)",
        ]
        balance = _balance_line(preview, name)
        if balance:
            lines.append(balance)
        lines.append(f"· 事由:{leave.reason or '未填写'}")
        steps = "→".join(str(step) for step in preview.get("approval_steps") or [])
        approver = (preview.get("approver") or {}).get("name")
        if steps:
            lines.append(f"· 审批:{steps}" + (f"({approver})" if approver else ""))
        lines.extend(f"· 提示:{note}" for note in preview.get("notes") or [])
        lines.extend(f"· 注意:{p.get('message')}" for p in preview.get("problems") or [])
        lines.append("确认提交吗?")
        return Reply("\n".join(lines), buttons=CONFIRM_BUTTONS)


# --- action_submit_leave_request -----------------------------------------------------------

def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitLeaveRequest(HRAction):
    """After the form: files the confirmed request (OA) and answers with its id, days and current
    approval step, relaying a refusal's reason; an unconfirmed one is not filed
    (`utter_leave_not_submitted`). Either way the form's slots are emptied for the next request."""

    action_name = "action_submit_leave_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        if tracker.get_slot("leave_confirmed") is not True:
            dispatcher.utter_message(response="utter_leave_not_submitted")
            return _form_reset()
        events: EventList = await super().run(dispatcher, tracker, domain)
        return events + _form_reset()

    async def answer(self, query: Query) -> Reply:
        leave = leave_input_of(query.tracker.slots)
        if leave is None:
            return Reply("请假信息不完整,这次没有提交。请重新说「我要请假」再办一次。")
        record = await query.hr.oa.request_leave(leave)
        name = record.get("leave_type_name") or LEAVE_TYPE_NAMES[leave.leave_type]
        approver = (record.get("approver") or {}).get("name")
        step = str(record.get("current_step") or "审批") + (f"({approver})" if approver else "")
        text = (f"已为您提交{name}申请,编号{record.get('id')}:{_when(record, query)},"
                f"共{format_days(record.get('days') or 0)}。当前审批:{step}。")
        notes = [str(note) for note in record.get("notes") or []]
        if notes:
            text += "\n" + "\n".join(f"· {note}" for note in notes)
        return Reply(text, events=(SlotSet(LAST_LEAVE_REQUEST_SLOT, record.get("id")),))
