"""The cancel leave form (intent `cancel_leave`, handbook 2.10): `validate_cancel_leave_form` picks
the request meant — by the message's date or leave type, else `last_leave_request_id` (set by
`action_leave_status`), else the only one — and ends the form at once when nothing can be
withdrawn; `action_ask_cancel_request_id` offers the requests as buttons;
`action_ask_cancel_confirmed` shows the one chosen; `action_submit_cancel_leave` withdraws it.

Only pending or approved requests that have not started can be withdrawn, by their owner; the
backend enforces this and its refusal (with the handbook's reason) is relayed as is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.base import SYSTEMS_DOWN_MESSAGE, EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ConnectorError
from actions.identity import UnknownEmployee
from actions.leave_form import leave_type_of
from actions.leave_queries import CANCELLABLE_STATUSES, LAST_LEAVE_REQUEST_SLOT
from actions.replies import LEAVE_TYPE_NAMES, format_date_span, format_days
from actions.when import DateSpan, day_of, entity_values, message_span

FORM_NAME = "cancel_leave_form"
REQUEST_SLOT = "cancel_request_id"
CONFIRMED_SLOT = "cancel_confirmed"
FORM_SLOTS = (REQUEST_SLOT, CONFIRMED_SLOT)
NOTHING_TO_CANCEL = ("您目前没有可以撤销的请假申请(只有审批中或已批准、尚未开始的请假可以撤销)。"
                     "已开始的请假如需提前结束,请联系HR(手册2.10)。")
NOT_CANCELLED = "好的,没有撤销,您的请假保持不变。"
CONFIRM_BUTTONS = ({"title": "确认撤销", "payload": "/affirm"}, {"title": "不撤销", "payload": "/deny"})

logger = logging.getLogger(__name__)


# --- which requests ---------------------------------------------------------------------------

def cancellable_requests(requests: Sequence[Mapping[str, Any]], today: date) -> list[Mapping[str, Any]]:
    """Pending or approved requests that start after `today` (2.10), earliest first."""
    found = [r for r in requests if r.get("status") in CANCELLABLE_STATUSES and r.get("id")
             and (day_of(r.get("start")) or today) > today]
    return sorted(found, key=lambda r: str(r.get("start")))


def _covers(request: Mapping[str, Any], span: DateSpan) -> bool:
    start, end = day_of(request.get("start")), day_of(request.get("end"))
    return start is not None and start <= span.end and (end or start) >= span.start


def matching_requests(
    requests: Sequence[Mapping[str, Any]], span: DateSpan | None, leave_type: str | None
) -> list[Mapping[str, Any]]:
    """The requests on `span` (its start date or within its days) of `leave_type`; None matches all."""
    return [r for r in requests if (span is None or _covers(r, span))
            and (leave_type is None or r.get("leave_type") == leave_type)]


def message_leave_type(tracker: Tracker) -> str | None:
    """The latest message's leave type entity ("年假不休了" → annual), if valid."""
    return next((t for t in map(leave_type_of, entity_values(tracker, "leave_type")) if t), None)


def chosen_request_id(requests: Sequence[Mapping[str, Any]], tracker: Tracker) -> str | None:
    """The request meant: the only one matching the message's date / leave type; without those
    entities `last_leave_request_id` when cancellable, else the only cancellable one; else None."""
    span, leave_type = message_span(tracker), message_leave_type(tracker)
    if span is not None or leave_type is not None:
        matching = matching_requests(requests, span, leave_type)
        return str(matching[0]["id"]) if len(matching) == 1 else None
    last = tracker.get_slot(LAST_LEAVE_REQUEST_SLOT)
    if any(r["id"] == last for r in requests):
        return str(last)
    return str(requests[0]["id"]) if len(requests) == 1 else None


def _name_and_dates(request: Mapping[str, Any], today: date) -> tuple[str, str]:
    name = request.get("leave_type_name") or LEAVE_TYPE_NAMES.get(str(request.get("leave_type")), "请假")
    start, end = day_of(request.get("start")), day_of(request.get("end"))
    when = format_date_span(start, end, today=today) if start and end and start <= end else ""
    half = {"morning": "上午", "afternoon": "下午"}.get(str(request.get("half_day")), "")
    return str(name), when + half


def describe(request: Mapping[str, Any], today: date) -> str:
    """"12月15日(周二)至12月17日(周四) 病假3天(审批中)"."""
    name, when = _name_and_dates(request, today)
    status = request.get("status_name") or request.get("status")
    return f"{when} {name}{format_days(request.get('days') or 0)}({status})"


async def _own_requests(query: Query) -> list[Mapping[str, Any]]:
    answer = await query.hr.oa.leave_requests()
    return cancellable_requests(answer.get("leave_requests") or [], query.today)


# --- validate_cancel_leave_form ------------------------------------------------------------

class ValidateCancelLeaveForm(HRAccess, Action):  # type: ignore[misc]
    """Keeps `cancel_request_id` to a request that can be withdrawn (a date or leave type in the
    message re-chooses, and a new choice is confirmed anew). With nothing to withdraw it says so
    and sets `requested_slot` to null, which ends the form (Rasa 3's early stop for validation
    actions); `action_submit_cancel_leave` then only empties the slots. Returns only changes, so
    an answer that fills nothing is rejected as in Rasa."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        end_form: EventList = [SlotSet(REQUEST_SLOT, None), SlotSet(CONFIRMED_SLOT, None),
                               SlotSet(REQUESTED_SLOT, None)]
        try:
            requests = await self._cancellable(tracker)
        except (ConnectorError, UnknownEmployee) as error:
            dispatcher.utter_message(text=error.user_message)
            return end_form
        except Exception:
            logger.exception("listing cancellable leave failed for sender %s", tracker.sender_id)
            dispatcher.utter_message(text=SYSTEMS_DOWN_MESSAGE)
            return end_form
        if not requests:
            dispatcher.utter_message(text=NOTHING_TO_CANCEL)
            return end_form
        old_id, old_confirmed = tracker.get_slot(REQUEST_SLOT), tracker.get_slot(CONFIRMED_SLOT)
        request_id = old_id if any(r["id"] == old_id for r in requests) else None
        if old_id is not None and request_id is None:
            dispatcher.utter_message(text=f"编号{old_id}的请假不在可撤销的申请里(已开始、已撤销或不是您的)。")
        span, leave_type = message_span(tracker), message_leave_type(tracker)
        named = span is not None or leave_type is not None
        picked = chosen_request_id(requests, tracker)
        if picked is not None and (named or request_id is None):
            request_id = picked
        elif named and not matching_requests(requests, span, leave_type):
            dispatcher.utter_message(text="没有找到与您说的日期或假期类型对应的可撤销请假。")
        confirmed = old_confirmed if isinstance(old_confirmed, bool) else None
        if request_id != old_id and request_id is not None:
            confirmed = None if confirmed is True else confirmed  # a new choice is confirmed anew
        events: EventList = []
        if request_id != old_id:
            events.append(SlotSet(REQUEST_SLOT, request_id))
        if confirmed != old_confirmed:
            events.append(SlotSet(CONFIRMED_SLOT, confirmed))
        return events

    async def _cancellable(self, tracker: Tracker) -> list[Mapping[str, Any]]:
        async with self.query(tracker) as query:
            return await _own_requests(query)


# --- the questions ---------------------------------------------------------------------------

class ActionAskCancelRequestId(HRAction):
    """Asks which request to withdraw, one button per cancellable request; with none left it says
    so and ends the form (requested_slot null)."""

    action_name = f"action_ask_{REQUEST_SLOT}"

    async def answer(self, query: Query) -> Reply:
        requests = await _own_requests(query)
        if not requests:
            return Reply(NOTHING_TO_CANCEL, events=(SlotSet(REQUESTED_SLOT, None),))
        buttons = [{"title": describe(r, query.today),
                    "payload": "/inform" + json.dumps({REQUEST_SLOT: r["id"]}, ensure_ascii=False)}
                   for r in requests]
        return Reply("您要撤销哪一条请假?", buttons=buttons)


class ActionAskCancelConfirmed(HRAction):
    """Asks for `cancel_confirmed` with the chosen request: type, dates with weekdays, days, status."""

    action_name = f"action_ask_{CONFIRMED_SLOT}"

    async def answer(self, query: Query) -> Reply:
        request_id = query.tracker.get_slot(REQUEST_SLOT)
        if not request_id:
            return Reply("请先选择要撤销的请假。")
        request = await query.hr.oa.leave_request(str(request_id))
        name, when = _name_and_dates(request, query.today)
        lines = [
            f"请确认要撤销的请假(编号{request_id}):",
            f"· 类型:{name}",
            f"· 日期:{when}",
            f"· 天数:{format_days(request.get('days') or 0)}",
            f"· 状态:{request.get('status_name') or request.get('status')}",
            "撤销后假期余额会退回。确认撤销吗?",
        ]
        return Reply("\n".join(lines), buttons=CONFIRM_BUTTONS)


# --- action_submit_cancel_leave ----------------------------------------------------------

def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitCancelLeave(HRAction):
    """After the form: withdraws the confirmed request (OA) or relays the backend's refusal; on a
    "no" says nothing changed; when the form ended early (nothing to withdraw, already said) it
    says nothing. Either way the form's slots are emptied."""

    action_name = "action_submit_cancel_leave"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        confirmed = tracker.get_slot(CONFIRMED_SLOT)
        if confirmed is True and tracker.get_slot(REQUEST_SLOT):
            events: EventList = await super().run(dispatcher, tracker, domain)
            return events + _form_reset()
        if confirmed is False:
            dispatcher.utter_message(text=NOT_CANCELLED)
        return _form_reset()

    async def answer(self, query: Query) -> Reply:
        request_id = str(query.tracker.get_slot(REQUEST_SLOT))
        record = await query.hr.oa.cancel_leave(request_id)
        name, when = _name_and_dates(record, query.today)
        text = f"已为您撤销{name}申请(编号{request_id}):{when},共{format_days(record.get('days') or 0)}"
        events = ((SlotSet(LAST_LEAVE_REQUEST_SLOT, None),)
                  if query.tracker.get_slot(LAST_LEAVE_REQUEST_SLOT) == request_id else ())
        return Reply(f"{text},假期余额已退回。", events=events)
