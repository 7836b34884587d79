"""The office supplies form (intent `material_request` when the employee wants something).

`action_material_request_intent` decides between asking about past requests and wanting
something (slot `material_wants_request`, which the rules branch on) and, for a request,
pre-fills what the first message already says ("我想领两个显示器" → 显示器, 2; "键盘坏了,想换一个"
→ 键盘, 1, reason 键盘坏了), so that Rasa's form validates it at activation.
`validate_material_form` reads item and quantity from each answer (`actions.material_items`; the
NLU has no entities for them), refuses a quantity outside 1-20 or an item name that is empty,
vague or over 50 characters, and takes the reason once ("没有/不用" → no reason).
`action_ask_material_confirmed` shows the request (and an earlier pending request for the same
item); `action_submit_material_request` files it with ERP or says nothing was filed, and empties
the form.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ConnectorError
from actions.expenses import MATERIAL_STATUS_NAMES
from actions.identity import UnknownEmployee
from actions.material_items import (
    NO_REASON,
    asks_about_records,
    is_question,
    item_in,
    looks_like_correction,
    means_no_reason,
    quantity_in,
    reason_in,
)
from actions.replies import format_date
from actions.when import day_of, latest_text

FORM_NAME = "material_form"
WANTS_REQUEST_SLOT = "material_wants_request"
ITEM_SLOT = "material_item"
QUANTITY_SLOT = "material_quantity"
REASON_SLOT = "material_reason"
CONFIRMED_SLOT = "material_confirmed"
FORM_SLOTS = (ITEM_SLOT, QUANTITY_SLOT, REASON_SLOT, CONFIRMED_SLOT)
REQUEST_SLOTS = frozenset({ITEM_SLOT, QUANTITY_SLOT, REASON_SLOT})
"""The slots whose change must be confirmed anew."""

MAX_QUANTITY = 20
MAX_ITEM_CHARS = 50
MAX_REASON_CHARS = 500
"""The ERP's limits (POST /erp/material-requests): 1-20 pieces, item ≤50 characters, reason ≤500."""

CONFIRM_BUTTONS = ({"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"})
NOT_SUBMITTED = "好的,这次没有提交领用申请。需要时随时再找我。"
ITEM_HINT = "请说具体要领的物品,比如「显示器」「A4纸」「签字笔」。"
QUANTITY_HINT = f"请说要领的数量,1到{MAX_QUANTITY}之间的整数,比如「2个」。"
NOT_ANSWERS = frozenset({"affirm", "deny", "greet", "goodbye", "thank", "human_handoff", "bot_challenge"})
"""Intents whose text is never a bare answer (an item, a number, a reason)."""
FORM_TURN_ACTIONS = frozenset({
    "action_listen", "action_extract_slots", FORM_NAME, f"validate_{FORM_NAME}",
    "action_material_request_intent",
})
"""Actions that may run between the employee's message and the form reading it; any other one
answered the message (an interruption), so the form does not take it as an answer."""
PENDING = "pending"

logger = logging.getLogger(__name__)


# --- reading the message -------------------------------------------------------------------

def latest_intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


def read_answer(text: str, intent: str | None, requested: str | None) -> dict[str, Any]:
    """What the message says about the request, as slot values: the item and quantity (a bare
    "显示器" or "3" only as the answer to that question; at the reason and confirmation questions
    only a correction such as "不对,要三个"), and the reason when it was asked and the message
    changed nothing else ("没有/不用" → `NO_REASON`). A question ("我的领用记录", "年假还剩几天")
    answers nothing: the form is rejected and the rules answer it."""
    if asks_about_records(text):
        return {}
    answering = intent not in NOT_ANSWERS
    found: dict[str, Any] = {}
    if requested not in (REASON_SLOT, CONFIRMED_SLOT) or looks_like_correction(text):
        states = requested not in (REASON_SLOT, CONFIRMED_SLOT)
        item = item_in(text, bare=answering and requested == ITEM_SLOT, states=states)
        quantity = quantity_in(text, bare=answering and requested == QUANTITY_SLOT)
        if item is not None:
            found[ITEM_SLOT] = item
        if quantity is not None:
            found[QUANTITY_SLOT] = quantity.value
    if requested == REASON_SLOT and not found:
        if means_no_reason(text):
            found[REASON_SLOT] = NO_REASON
        elif answering and text.strip() and not is_question(text):
            found[REASON_SLOT] = text.strip()
    return found


def first_message_slots(text: str) -> dict[str, Any]:
    """The form's slots as a new request's first message sets them: item, quantity and reason
    when said ("键盘坏了,想换一个" needs no question about the reason), everything else empty (a
    new request starts from nothing)."""
    values: dict[str, Any] = {slot: None for slot in FORM_SLOTS} | read_answer(text, None, None)
    reason = reason_in(text)
    if reason:
        values[REASON_SLOT] = reason
    return values


def item_problem(item: Any) -> str | None:
    """Why an item name cannot be filed (the ERP takes at most 50 characters); None if it can."""
    if item is None:
        return None
    if not isinstance(item, str) or not item.strip():
        return ITEM_HINT
    if len(item) > MAX_ITEM_CHARS:
        return f"物品名称最多{MAX_ITEM_CHARS}个字,请说得简短些,比如「27寸显示器」。"
    return None


def quantity_problem(quantity: Any) -> str | None:
    """Why a quantity cannot be filed (whole pieces, 1-20 per request); None if it can."""
    if quantity is None:
        return None
    if isinstance(quantity, bool) or not isinstance(quantity, int | float):
        return QUANTITY_HINT
    if quantity != int(quantity):
        return f"数量须是整数(收到{quantity:g}),{QUANTITY_HINT}"
    if quantity < 1:
        return f"数量至少是1,{QUANTITY_HINT}"
    if quantity > MAX_QUANTITY:
        return f"一次最多申请{MAX_QUANTITY}件(您说的是{int(quantity)}件),请说1到{MAX_QUANTITY}之间的数量。"
    return None


def reason_problem(reason: Any) -> str | None:
    if isinstance(reason, str) and len(reason) > MAX_REASON_CHARS:
        return f"领用事由最多{MAX_REASON_CHARS}个字,请简短说一下。"
    return None


def _what(values: Mapping[str, Any], refused: Mapping[str, Any]) -> str:
    """"键盘×2", or only what is known and valid of item and quantity."""
    item = None if ITEM_SLOT in refused else values.get(ITEM_SLOT)
    quantity = None if QUANTITY_SLOT in refused else values.get(QUANTITY_SLOT)
    if item and quantity:
        return f"{item}×{int(quantity)}"
    if item:
        return str(item)
    return f"{int(quantity)}件" if quantity else "新的数量"


def answered_elsewhere(tracker: Tracker) -> bool:
    """Whether an action other than the form's answered the latest message (the form came back
    after an interruption): its text is then no answer to the form's question."""
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            return False
        if kind == "action" and event.get("name") not in FORM_TURN_ACTIONS:
            return True
    return False


def request_of(slots: Mapping[str, Any]) -> tuple[str, int, str | None] | None:
    """(item, quantity, reason or None) when the slots hold a request the ERP accepts."""
    item, quantity = slots.get(ITEM_SLOT), slots.get(QUANTITY_SLOT)
    if item is None or quantity is None or item_problem(item) or quantity_problem(quantity):
        return None
    reason = slots.get(REASON_SLOT)
    reason = reason.strip() if isinstance(reason, str) and reason.strip() not in ("", NO_REASON) else None
    return str(item), int(quantity), reason


# --- action_material_request_intent ---------------------------------------------------------

class ActionMaterialRequestIntent(Action):  # type: ignore[misc]
    """Sets `material_wants_request` from the message (领过/记录/申请的…到哪了/批了没 → false;
    想领/申请一个/要一把/需要… → true) for the rules to branch on; for a request also sets the
    form's slots from the message (pure parsing, no backend call), which the form validates when
    it activates. Always returns the SlotSet, even when the value is unchanged."""

    def name(self) -> str:
        return "action_material_request_intent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        text = latest_text(tracker)
        wants = not asks_about_records(text)
        events: EventList = [SlotSet(WANTS_REQUEST_SLOT, wants)]
        if wants:
            events += [SlotSet(slot, value) for slot, value in first_message_slots(text).items()
                       if tracker.get_slot(slot) != value]
        return events


# --- validate_material_form -------------------------------------------------------------------

class ValidateMaterialForm(Action):  # type: ignore[misc]
    """Fills item, quantity and reason from each answer and refuses what the ERP would not take,
    saying why and emptying the slot so the form asks again. A change after the summary must be
    confirmed anew. Returns changed slots only, so a message that answers nothing (e.g. "算了不领了")
    is rejected as in Rasa and the cancel rule takes over."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        requested = tracker.get_slot("requested_slot")
        requested = requested if requested in FORM_SLOTS else None
        intent, text = latest_intent(tracker), latest_text(tracker)
        found = {} if answered_elsewhere(tracker) else read_answer(text, intent, requested)
        changes = {slot: value for slot, value in found.items() if tracker.get_slot(slot) != value}
        values = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS} | changes
        refused: dict[str, Any] = {}
        for slot, check in ((ITEM_SLOT, item_problem), (QUANTITY_SLOT, quantity_problem),
                            (REASON_SLOT, reason_problem)):
            problem = check(values[slot])
            if problem:
                dispatcher.utter_message(text=problem)
                refused[slot] = None
        if not found and intent == "inform" and requested in (ITEM_SLOT, QUANTITY_SLOT):
            dispatcher.utter_message(text=ITEM_HINT if requested == ITEM_SLOT else QUANTITY_HINT)
            refused[requested] = None  # said, so the form asks again instead of being rejected
        if REQUEST_SLOTS & changes.keys() and tracker.get_slot(CONFIRMED_SLOT) is not None:
            refused[CONFIRMED_SLOT] = None  # a changed request is confirmed anew
        corrected = [slot for slot in (ITEM_SLOT, QUANTITY_SLOT)
                     if slot in changes and slot not in refused and tracker.get_slot(slot) is not None]
        if corrected and requested != CONFIRMED_SLOT:  # the summary shows it again anyway
            dispatcher.utter_message(text=f"好的,已改为{_what(values, refused)}。")
        events: EventList = [SlotSet(slot, value) for slot, value in changes.items() if slot not in refused]
        return events + [SlotSet(slot, None) for slot in refused]


# --- action_ask_material_confirmed ------------------------------------------------------------

class ActionAskMaterialConfirmed(HRAccess, Action):  # type: ignore[misc]
    """Asks for `material_confirmed` with the request (item, quantity, reason) and buttons 确认提交
    and 取消; mentions an earlier pending request for the same item, read from ERP. The question
    is asked even when ERP cannot be read (the note is only a hint)."""

    def name(self) -> str:
        return f"action_ask_{CONFIRMED_SLOT}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        request = request_of(tracker.slots)
        if request is None:
            dispatcher.utter_message(text="领用信息还不完整,请再说一下要领什么、领几个。")
            return []
        item, quantity, reason = request
        lines = ["请确认您的领用申请:", f"· 物品:{item}", f"· 数量:{quantity}",
                 f"· 事由:{reason or '未填写'}"]
        lines += await self._pending_notes(tracker, item)
        lines.append("确认提交吗?")
        dispatcher.utter_message(text="\n".join(lines), buttons=[dict(b) for b in CONFIRM_BUTTONS])
        return []

    async def _pending_notes(self, tracker: Tracker, item: str) -> list[str]:
        try:
            async with self.query(tracker) as query:
                answer = await query.hr.erp.material_requests(status=PENDING)
                today = query.today
        except (ConnectorError, UnknownEmployee) as error:
            logger.warning("pending material requests not read for %s: %s", tracker.sender_id, error)
            return []
        except Exception:
            logger.exception("pending material requests not read for %s", tracker.sender_id)
            return []
        same = [r for r in answer.get("material_requests") or []
                if isinstance(r, Mapping) and str(r.get("item") or "") == item]
        notes = []
        for record in same:
            day = day_of(record.get("requested_on"))
            when = f"{format_date(day, today=today)}申请," if day else ""
            notes.append(f"· 提示:您已有一条{item}的领用申请({record.get('id')},{when}"
                         f"{int(record.get('quantity') or 1)}件)还在审批中。")
        return notes


# --- action_submit_material_request -----------------------------------------------------------

def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitMaterialRequest(HRAction):
    """After the form: files the confirmed request with ERP and answers with its id and status
    (待审批); a connector failure is answered with the connector's message for the employee
    (for a timeout: it may or may not have been filed). Unconfirmed (取消, "算了不领了"): says
    nothing was filed. Always empties the form's slots."""

    action_name = "action_submit_material_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        if tracker.get_slot(CONFIRMED_SLOT) is True and request_of(tracker.slots) is not None:
            events: EventList = await super().run(dispatcher, tracker, domain)
            return events + _form_reset()
        dispatcher.utter_message(text=NOT_SUBMITTED)
        return _form_reset()

    async def answer(self, query: Query) -> Reply:
        request = request_of(query.tracker.slots)
        assert request is not None  # checked in run
        item, quantity, reason = request
        record = await query.hr.erp.request_material(item, quantity, reason)
        status = str(record.get("status") or PENDING)
        what = f"{record.get('item') or item}×{record.get('quantity') or quantity}"
        because = f",事由:{reason}" if reason else ""
        return Reply(f"已为您提交领用申请,编号{record.get('id')}:{what}{because}。"
                     f"当前状态:{MATERIAL_STATUS_NAMES.get(status, status)}。")
