"""The attendance correction (补卡) form (intent `attendance_correction`, handbook 3.3):
`validate_punch_correction_form` keeps `correction_date` to one of the employee's correction
candidates (the backend's eligible days) — the message's date, else the only candidate — explains
why a named day cannot be corrected, and ends the form at once when no day can;
`action_ask_correction_date` offers the candidates as buttons; `action_ask_correction_confirmed`
shows the summary; `action_submit_punch_correction` files it with OA.

The backend enforces 3.3 (within 3 working days, at most 3 a month, abnormal days only, once);
its refusal is relayed as is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.base import SYSTEMS_DOWN_MESSAGE, EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ConnectorError, HRSession
from actions.identity import UnknownEmployee
from actions.replies import format_date, format_time_range
from actions.when import DateSpan, day_of, message_span

FORM_NAME = "punch_correction_form"
DATE_SLOT = "correction_date"
REASON_SLOT = "correction_reason"
CONFIRMED_SLOT = "correction_confirmed"
FORM_SLOTS = (DATE_SLOT, REASON_SLOT, CONFIRMED_SLOT)
CORRECTABLE_NAMES: Mapping[str, str] = {"missing_punch": "缺卡", "late": "迟到", "early_leave": "早退"}
ACTIVE_STATUSES = ("pending", "approved")
MONTHLY_LIMIT = 3
NOTHING_TO_CORRECT = ("您目前没有可以补卡的考勤异常。补卡须在异常当天起3个工作日内提交,"
                      "每月不超过3次(手册3.3)。")
NOT_FILED = "好的,没有提交补卡申请。"
CONFIRM_BUTTONS = ({"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"})

logger = logging.getLogger(__name__)


# --- the candidates ---------------------------------------------------------------------------

def candidate_days(candidates: Sequence[Mapping[str, Any]]) -> list[date]:
    """The days of the backend's eligible list, in its order (newest first)."""
    return [d for d in (day_of(c.get("date")) for c in candidates) if d is not None]


def candidate_on(candidates: Sequence[Mapping[str, Any]], day: date | None) -> Mapping[str, Any] | None:
    """The eligible entry for `day`, if it is one."""
    return next((c for c in candidates if day is not None and day_of(c.get("date")) == day), None)


def _clock(value: Any) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def abnormality(candidate: Mapping[str, Any]) -> str:
    """"迟到(打卡09:12–18:05)": what is wrong that day and the punches recorded."""
    status = str(candidate.get("status"))
    name = CORRECTABLE_NAMES.get(status) or str(candidate.get("status_name") or status)
    punches = format_time_range(_clock(candidate.get("check_in")), _clock(candidate.get("check_out")))
    return f"{name}(打卡{punches})"


def describe(candidate: Mapping[str, Any], today: date) -> str:
    """"11月19日(周四) 迟到(打卡09:12–18:05),11月24日(周二)前可补"."""
    day, deadline = day_of(candidate.get("date")), day_of(candidate.get("deadline"))
    when = format_date(day, today=today) if day else str(candidate.get("date"))
    until = f",{format_date(deadline, today=today)}前可补" if deadline else ""
    return f"{when} {abnormality(candidate)}{until}"


async def ineligible_reason(hr: HRSession, day: date, today: date) -> str:
    """Why `day` (not among the candidates) cannot be corrected, the backend's order of 3.3's
    rules: in the future, no abnormal record, already filed, month's limit reached, else the
    3-working-day window has passed."""
    when = format_date(day, today=today)
    if day > today:
        return f"{when}还没到,不能补卡。"
    answer = await hr.hrm.attendance(start=day, end=day)
    record = next((r for r in answer.get("records") or [] if day_of(r.get("date")) == day), None)
    if record is None or record.get("status") not in CORRECTABLE_NAMES:
        return f"{when}这天没有考勤异常,无需补卡。"
    correction = record.get("correction")
    if isinstance(correction, Mapping) and correction.get("status") in ACTIVE_STATUSES:
        return f"{when}已经提交过补卡申请,不能重复提交。"
    filed = (await hr.oa.punch_corrections()).get("attendance_corrections") or []
    month = day.isoformat()[:7]
    used = sum(1 for c in filed
               if c.get("status") in ACTIVE_STATUSES and str(c.get("date")).startswith(month))
    if used >= MONTHLY_LIMIT:
        return f"每月补卡不超过{MONTHLY_LIMIT}次(手册3.3),{day.month}月的补卡次数已用完,{when}无法再补卡。"
    return f"补卡须在异常当天起3个工作日内提交(手册3.3),{when}的补卡期限已过。"


def _in_span(candidates: Sequence[Mapping[str, Any]], span: DateSpan) -> list[date]:
    return [d for d in candidate_days(candidates) if span.start <= d <= span.end]


# --- validate_punch_correction_form --------------------------------------------------------

class ValidatePunchCorrectionForm(HRAccess, Action):  # type: ignore[misc]
    """Keeps `correction_date` to a day that may still be corrected: a date in the message
    re-chooses (a day that cannot be corrected is explained and left empty), else the only
    candidate is taken; a new day is confirmed anew. With no candidate at all it says so and sets
    `requested_slot` to null, ending the form (Rasa 3's early stop for validation actions).
    Returns only changes, so an answer that fills nothing is rejected as in Rasa."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        end_form: EventList = [*(SlotSet(slot, None) for slot in FORM_SLOTS), SlotSet(REQUESTED_SLOT, None)]
        try:
            messages, events = await self._validate(tracker)
        except (ConnectorError, UnknownEmployee) as error:
            dispatcher.utter_message(text=error.user_message)
            return end_form
        except Exception:
            logger.exception("validating a punch correction failed for sender %s", tracker.sender_id)
            dispatcher.utter_message(text=SYSTEMS_DOWN_MESSAGE)
            return end_form
        for text in messages:
            dispatcher.utter_message(text=text)
        if _names_another_day_instead_of_a_reason(tracker):
            events.append(SlotSet(REASON_SLOT, None))
        return events

    async def _validate(self, tracker: Tracker) -> tuple[list[str], EventList]:
        async with self.query(tracker) as query:
            candidates = (await query.hr.oa.correction_candidates()).get("eligible") or []
            return await _choose(query.hr, tracker, candidates, query.today)


def _names_another_day_instead_of_a_reason(tracker: Tracker) -> bool:
    """"帮我补周四的卡" said when the form asked for the reason re-chooses the day (see `_choose`)
    and is not the reason; "外出见客户忘了打卡" is the reason even though it reads like a new
    request (it names no day)."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return (tracker.get_slot(REQUESTED_SLOT) == REASON_SLOT and intent == "attendance_correction"
            and tracker.get_slot(REASON_SLOT) is not None and message_span(tracker) is not None)


async def _choose(
    hr: HRSession, tracker: Tracker, candidates: Sequence[Mapping[str, Any]], today: date
) -> tuple[list[str], EventList]:
    """The messages and slot changes of one validation turn (see ValidatePunchCorrectionForm)."""
    messages: list[str] = []
    span = message_span(tracker)
    old_value, old_confirmed = tracker.get_slot(DATE_SLOT), tracker.get_slot(CONFIRMED_SLOT)
    old_day = day_of(old_value)
    chosen = old_day if candidate_on(candidates, old_day) else None
    if old_value is not None and chosen is None and (span is None or not span.single_day
                                                     or span.start != old_day):
        messages.append(await ineligible_reason(hr, old_day, today) if old_day
                        else f"「{old_value}」不是有效的日期,请选择要补卡的日期。")
    if span is not None:
        matching = _in_span(candidates, span)
        if len(matching) == 1:
            chosen = matching[0]
        elif span.single_day:
            messages.append(await ineligible_reason(hr, span.start, today))
            chosen = None
        elif not matching:
            messages.append("这段时间里没有可以补卡的考勤异常(补卡须在3个工作日内提交,手册3.3)。")
    if not candidates:
        end_form: EventList = [*(SlotSet(slot, None) for slot in FORM_SLOTS), SlotSet(REQUESTED_SLOT, None)]
        return messages or [NOTHING_TO_CORRECT], end_form
    if old_value is None and span is None and len(candidates) == 1:  # nothing named: the only day
        chosen = candidate_days(candidates)[0]
    value = chosen.isoformat() if chosen else None
    confirmed = old_confirmed if isinstance(old_confirmed, bool) else None
    if value != old_value and value is not None and confirmed is True:
        confirmed = None  # a new day is confirmed anew
    events: EventList = []
    if value != old_value:
        events.append(SlotSet(DATE_SLOT, value))
    if confirmed != old_confirmed:
        events.append(SlotSet(CONFIRMED_SLOT, confirmed))
    return messages, events


# --- the questions ---------------------------------------------------------------------------

async def _candidates(query: Query) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = (await query.hr.oa.correction_candidates()).get("eligible") or []
    return found


class ActionAskCorrectionDate(HRAction):
    """Asks which day to correct, one button per candidate (date, weekday, what is wrong,
    deadline); with none left it says so and ends the form (requested_slot null)."""

    action_name = f"action_ask_{DATE_SLOT}"

    async def answer(self, query: Query) -> Reply:
        candidates = await _candidates(query)
        if not candidates:
            return Reply(NOTHING_TO_CORRECT, events=(SlotSet(REQUESTED_SLOT, None),))
        buttons = [{"title": describe(c, query.today),
                    "payload": "/inform" + json.dumps({DATE_SLOT: c["date"]}, ensure_ascii=False)}
                   for c in candidates]
        return Reply("您要为哪一天补卡?", buttons=buttons)


class ActionAskCorrectionConfirmed(HRAction):
    """Asks for `correction_confirmed` with the summary: day, the abnormal punch, reason, deadline."""

    action_name = f"action_ask_{CONFIRMED_SLOT}"

    async def answer(self, query: Query) -> Reply:
        day = day_of(query.tracker.get_slot(DATE_SLOT))
        candidate = candidate_on(await _candidates(query), day)
        if day is None or candidate is None:
            return Reply("请先选择要补卡的日期。")
        deadline = day_of(candidate.get("deadline"))
        lines = [
            "请确认补卡申请:",
            f"· 日期:{format_date(day, today=query.today)}",
            f"· 考勤异常:{abnormality(candidate)}",
            f"· 补卡理由:{query.tracker.get_slot(REASON_SLOT) or '忘记打卡'}",
        ]
        if deadline:
            lines.append(f"· 提交截止:{format_date(deadline, today=query.today)}(3个工作日内,手册3.3)")
        lines.append("提交后由直属主管审批。确认提交吗?")
        return Reply("\n".join(lines), buttons=CONFIRM_BUTTONS)


# --- action_submit_punch_correction ----------------------------------------------------------

def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitPunchCorrection(HRAction):
    """After the form: files the confirmed correction (OA) or relays the backend's refusal; on a
    "no" says nothing was filed; when the form ended early (already explained) it says nothing.
    Either way the form's slots are emptied."""

    action_name = "action_submit_punch_correction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        confirmed = tracker.get_slot(CONFIRMED_SLOT)
        if confirmed is True and day_of(tracker.get_slot(DATE_SLOT)):
            events: EventList = await super().run(dispatcher, tracker, domain)
            return events + _form_reset()
        if confirmed is False:
            dispatcher.utter_message(text=NOT_FILED)
        return _form_reset()

    async def answer(self, query: Query) -> Reply:
        day = day_of(query.tracker.get_slot(DATE_SLOT))
        assert day is not None  # run() files only with a valid day
        reason = query.tracker.get_slot(REASON_SLOT)
        record = await query.hr.oa.file_punch_correction(day, str(reason) if reason else None)
        kind = CORRECTABLE_NAMES.get(str(record.get("kind"))) or record.get("kind_name") or ""
        text = (f"已为您提交补卡申请(编号{record.get('id')}):{format_date(day, today=query.today)} {kind},"
                f"理由:{record.get('reason')}。当前环节:{record.get('current_step') or '直属主管审批'}。")
        return Reply(text)
