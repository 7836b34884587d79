"""The expense claim form (intent `reimbursement_submit`, handbook chapter 5).

`action_start_reimbursement` runs before the form and fills what the triggering message already
says ("我要报销打车费85元": type and amount), so the form validates it on activation.
`validate_reimbursement_form` reads each answer from the latest message (the form's slots are
its own, filled only here), checks it and, once the claim is costed (type, amount, date and the
type's extras: city and nights for accommodation, prior consent and head count for a meal), asks
ERP's preview whether chapter 5 allows it — for every rule it breaks it says the backend's reason
and empties the slot to change (a meal without prior consent cannot be fixed: the form ends).
`action_ask_claim_confirmed` shows the claim and the standard that applies;
`action_submit_reimbursement` files it, or says it was not filed.

Slot values: `claim_type` a code of `EXPENSE_TYPE_NAMES`, `claim_amount` yuan, `claim_date`
"YYYY-MM-DD" (a span said is its last day), `claim_city` text, `claim_nights` and `claim_persons`
whole numbers, `claim_manager_approved`, `claim_confirmed` bools, `claim_description` text.
A claim that could not be filed (systems down, refused, timeout) keeps its slots; the next
`reimbursement_submit` picks it up unless it names another expense type.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.base import SYSTEMS_DOWN_MESSAGE, EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ClaimInput, ConnectorError
from actions.identity import UnknownEmployee
from actions.meeting_times import chinese_number, size_in
from actions.replies import EXPENSE_TYPE_NAMES, format_date, format_money
from actions.when import day_of, latest_text, message_span
from hrbot.nlu.normalise.categories import resolve_expense_type

FORM_NAME = "reimbursement_form"
TYPE_SLOT = "claim_type"
AMOUNT_SLOT = "claim_amount"
DATE_SLOT = "claim_date"
CITY_SLOT = "claim_city"
NIGHTS_SLOT = "claim_nights"
APPROVED_SLOT = "claim_manager_approved"
PERSONS_SLOT = "claim_persons"
DESCRIPTION_SLOT = "claim_description"
CONFIRMED_SLOT = "claim_confirmed"
FORM_SLOTS = (TYPE_SLOT, AMOUNT_SLOT, DATE_SLOT, CITY_SLOT, NIGHTS_SLOT, APPROVED_SLOT, PERSONS_SLOT,
              DESCRIPTION_SLOT, CONFIRMED_SLOT)
EXTRA_SLOTS: Mapping[str, tuple[str, ...]] = {
    "accommodation": (CITY_SLOT, NIGHTS_SLOT),
    "meal": (APPROVED_SLOT, PERSONS_SLOT),
}
"""The slots a type needs besides type, amount and date (the backend's rules for it, 5.2)."""
ALL_EXTRAS = frozenset(slot for slots in EXTRA_SLOTS.values() for slot in slots)
COSTED_SLOTS = frozenset({TYPE_SLOT, AMOUNT_SLOT, DATE_SLOT}) | ALL_EXTRAS

PROBLEM_SLOTS: Mapping[str, str] = {
    "date_in_future": DATE_SLOT,
    "claim_expired": DATE_SLOT,
    "taxi_daily_limit": AMOUNT_SLOT,
    "accommodation_limit": AMOUNT_SLOT,
    "meal_limit": AMOUNT_SLOT,
    "office_over_limit": AMOUNT_SLOT,
}
"""The slot to ask again for each backend problem code."""
UNFIXABLE_PROBLEMS = frozenset({"meal_needs_preapproval"})
"""Problems no answer in this form can fix: the claim is not filed and the form ends."""

FORM_INTENTS = frozenset({"inform", "reimbursement_submit", "affirm", "deny"})
"""Intents whose values are read as answers or corrections; the values in other messages (a
policy question, a status query) are left alone, so the form rejects them and the rules answer."""
NOT_ANSWERS = frozenset({"policy_question", "reimbursement_status", "human_handoff", "affirm", "deny",
                         "greet", "goodbye", "thank", "bot_challenge"})
"""Intents whose text is never the answer to the question asked (a city, a head count)."""
UNREADABLE_ANSWERED = frozenset({TYPE_SLOT, AMOUNT_SLOT, DATE_SLOT, NIGHTS_SLOT, PERSONS_SLOT})
"""Slots whose unreadable `inform` answer is passed on as is, so that validation explains what is
wanted (other intents are left to their rules)."""
MAX_NIGHTS, MAX_PERSONS = 60, 100
"""The backend's bounds for `nights` and `persons`."""

CONFIRM_BUTTONS = ({"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"})
KEPT_MESSAGE = "您填写的报销信息已保留,稍后说「我要报销」可以核对后重新提交。"

logger = logging.getLogger(__name__)


# --- reading the message -------------------------------------------------------------------

_CORRECTION = re.compile(r"不对|不是|改成|改为|改一下|应该是|错了|搞错")
_COUNT = r"(?P<n>\d{1,3}|[一二两三四五六七八九十百]{1,4})"
_NIGHTS = re.compile(_COUNT + r"\s*个?\s*(?:晚|夜)")
_BARE_COUNT = re.compile(r"^(?:一共|总共|共|有)?\s*" + _COUNT
                         + r"\s*(?:个|位)?\s*(?:人|晚上?|夜|天)?\s*[。.!!]?$")
_CITY_SAID = re.compile(r"(?:在|去|到)(?P<city>[\u4e00-\u9fff]{2,6}?)市?(?:出差|住|开会|培训|的酒店|的宾馆)")
_CITY_BEFORE = re.compile(r"^(?:城市是|我在|我去|住在|出差去|出差到|是|在|去|到)+")
_CITY_AFTER = re.compile(r"(?:市|出差|住的|住宿|的酒店|的宾馆|吧|呀|啊|呢|的)+$")
_CITY_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,12}")


def _intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


def _requested(tracker: Tracker) -> str | None:
    """The slot the form asked for, while this form is the active one."""
    if (tracker.active_loop or {}).get("name") != FORM_NAME:
        return None
    requested = tracker.get_slot(REQUESTED_SLOT)
    return str(requested) if requested else None


def _entity(tracker: Tracker, name: str) -> Any:
    entities = (tracker.latest_message or {}).get("entities") or []
    return next((e.get("value") for e in entities if isinstance(e, Mapping) and e.get("entity") == name),
                None)


def expense_type_of(value: Any) -> str | None:
    """A contract expense type code ("taxi"), case and spaces ignored; None for anything else."""
    if isinstance(value, str) and value.strip().lower() in EXPENSE_TYPE_NAMES:
        return value.strip().lower()
    return None


def amount_of(value: Any) -> float | None:
    """A positive amount of yuan rounded to the fen; None otherwise."""
    if isinstance(value, bool):
        return None
    try:
        amount = round(float(value), 2)
    except (TypeError, ValueError):
        return None
    return amount if math.isfinite(amount) and amount > 0 else None


def count_of(value: Any, maximum: int) -> int | None:
    """A whole number from 1 to `maximum` (nights, persons); None otherwise."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == int(number) and 1 <= number <= maximum else None


def bare_count(text: str) -> int | None:
    """The number of an answer that is only a count ("3", "三个", "4个人", "两晚")."""
    match = _BARE_COUNT.match(text.strip())
    return chinese_number(match.group("n")) if match else None


def nights_in(text: str) -> int | None:
    """"住了三晚" → 3, "3天2晚" → 2."""
    match = _NIGHTS.search(text)
    return chinese_number(match.group("n")) if match else None


def city_in_answer(text: str) -> str | None:
    """The city an answer names: "上海" / "在上海住的" / "成都市" → the name; None for anything else."""
    cleaned = re.sub(r"[\s,,。.!!??、]", "", text)
    cleaned = _CITY_AFTER.sub("", _CITY_BEFORE.sub("", cleaned))
    return cleaned if _CITY_NAME.fullmatch(cleaned) else None


def message_values(tracker: Tracker) -> dict[str, Any]:
    """What the latest message says about the claim, by slot (not yet validated). Values count in
    an answer or correction (FORM_INTENTS), or as the answer to the slot asked for; while the
    description is asked, only a message that says it corrects something ("不对,改成…") or asks
    to claim again gives values (any other is the description, "出差期间打车" included)."""
    text, intent, requested = latest_text(tracker), _intent(tracker), _requested(tracker)
    answering = intent not in NOT_ANSWERS
    if requested == DESCRIPTION_SLOT and intent != "reimbursement_submit" and not _CORRECTION.search(text):
        return {}
    found: dict[str, Any] = {}

    def readable(slot: str) -> bool:
        return intent in FORM_INTENTS or (requested == slot and answering)

    if readable(TYPE_SLOT):
        said_type = _entity(tracker, "expense_type")
        kind = (expense_type_of(said_type) or resolve_expense_type(str(said_type or ""))
                or resolve_expense_type(text))
        if kind is not None:
            found[TYPE_SLOT] = kind
    counting = requested in (NIGHTS_SLOT, PERSONS_SLOT) and bare_count(text) is not None
    amount = _entity(tracker, "amount")
    if readable(AMOUNT_SLOT) and amount is not None and not counting:
        found[AMOUNT_SLOT] = amount
    span = message_span(tracker)
    if readable(DATE_SLOT) and span is not None:
        found[DATE_SLOT] = span.end.isoformat()
    if requested == CITY_SLOT and answering:
        city = city_in_answer(text)
        if city:
            found[CITY_SLOT] = city
    elif readable(CITY_SLOT) and (said := _CITY_SAID.search(text)):
        found[CITY_SLOT] = said.group("city")
    nights = nights_in(text) or (bare_count(text) if requested == NIGHTS_SLOT else None)
    if readable(NIGHTS_SLOT) and nights:
        found[NIGHTS_SLOT] = nights
    persons = size_in(text) or (bare_count(text) if requested == PERSONS_SLOT else None)
    if readable(PERSONS_SLOT) and persons:
        found[PERSONS_SLOT] = persons
    if not found and intent == "inform" and requested in UNREADABLE_ANSWERED and text.strip():
        found[requested] = text.strip()  # an answer not understood: validation says what is wanted
    return found


# --- the claim the slots describe ----------------------------------------------------------

def extras_of(slots: Mapping[str, Any]) -> tuple[str, ...]:
    """The extra slots the claim's type needs (none until the type is known)."""
    return EXTRA_SLOTS.get(expense_type_of(slots.get(TYPE_SLOT)) or "", ())


def claim_input_of(slots: Mapping[str, Any]) -> ClaimInput | None:
    """The claim the slots describe, or None until it can be costed: type, amount, date and the
    type's extras (a meal without prior consent needs no head count: it cannot be filed anyway)."""
    kind, amount = expense_type_of(slots.get(TYPE_SLOT)), amount_of(slots.get(AMOUNT_SLOT))
    day = day_of(slots.get(DATE_SLOT))
    if kind is None or amount is None or day is None:
        return None
    description = slots.get(DESCRIPTION_SLOT)
    description = description.strip() if isinstance(description, str) and description.strip() else None
    claim = ClaimInput(kind, amount, day, description=description)
    if kind == "accommodation":
        city, nights = slots.get(CITY_SLOT), count_of(slots.get(NIGHTS_SLOT), MAX_NIGHTS)
        if not isinstance(city, str) or not city or nights is None:
            return None
        return ClaimInput(kind, amount, day, description=description, city=city, nights=nights)
    if kind == "meal":
        approved, persons = slots.get(APPROVED_SLOT), count_of(slots.get(PERSONS_SLOT), MAX_PERSONS)
        if not isinstance(approved, bool) or (approved and persons is None):
            return None
        return ClaimInput(kind, amount, day, description=description, persons=persons,
                          manager_approved=approved)
    return claim


def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


# --- action_start_reimbursement ------------------------------------------------------------

class ActionStartReimbursement(Action):  # type: ignore[misc]
    """Before the form: sets what the triggering message says about the claim ("报销上周三的住宿费":
    type and date), which the form validates when it activates (pure parsing, no backend call).
    A claim left unfiled earlier is kept (the employee continues it) unless the message names
    another expense type, which starts a new one."""

    def name(self) -> str:
        return "action_start_reimbursement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        said = message_values(tracker)
        kept = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        kind = expense_type_of(said.get(TYPE_SLOT))
        if kind is not None and kept[TYPE_SLOT] not in (None, kind):
            kept = dict.fromkeys(FORM_SLOTS)
        values = {**kept, **said, CONFIRMED_SLOT: None}
        return [SlotSet(slot, values[slot]) for slot in FORM_SLOTS]


# --- validate_reimbursement_form -----------------------------------------------------------

class ValidateReimbursementForm(HRAccess, FormValidationAction):  # type: ignore[misc]
    """Reads each answer from the latest message, checks it, and once the claim can be costed (and
    a costed slot came this turn) asks ERP's preview: for every rule the claim breaks it says the
    backend's reason and empties the slot to change, so the form asks for it again; a meal
    without prior consent ends the form unfiled. When the systems cannot be reached it says so
    and keeps the answers."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        needed = extras_of(tracker.slots)
        return [slot for slot in domain_slots if slot not in ALL_EXTRAS or slot in needed]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Always names the next slot (rasa_sdk leaves it to the form only when required_slots was
        not narrowed); none once the claim was refused, which ends the form."""
        if tracker.slots.get(CONFIRMED_SLOT) is False:
            ended: dict[str, Any] = SlotSet(REQUESTED_SLOT, None)
            return ended
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        event: dict[str, Any] = SlotSet(REQUESTED_SLOT, missing)
        return event

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        """The values the latest message gives that differ from the slots (custom mappings)."""
        said = message_values(tracker)
        return [SlotSet(slot, value) for slot, value in said.items() if tracker.get_slot(slot) != value]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        changed = set(tracker.slots_to_validate())
        events: EventList = await super().get_validation_events(dispatcher, tracker, domain)
        changes: dict[str, Any] = {}
        if CONFIRMED_SLOT in changed and changed & (COSTED_SLOTS | {DESCRIPTION_SLOT}):
            changes[CONFIRMED_SLOT] = None  # "不对,改成120块" at the summary corrects; confirm anew
        if changed & COSTED_SLOTS:
            cleared, refused = await self._check_with_backend(dispatcher, tracker)
            changes.update(dict.fromkeys(cleared))
            if refused:
                changes[CONFIRMED_SLOT] = False
        if not changes:
            return events
        tracker.slots.update(changes)
        kept = [event for event in events if event.get("name") not in changes]
        return kept + [SlotSet(slot, value) for slot, value in sorted(changes.items())]

    async def _check_with_backend(self, dispatcher: CollectingDispatcher, tracker: Tracker
                                  ) -> tuple[set[str], bool]:
        """The slots to ask again after ERP's preview (its reasons already said), and whether the
        claim cannot be filed at all."""
        claim = claim_input_of(tracker.slots)
        if claim is None:
            return set(), False
        try:
            async with self.query(tracker) as query:
                preview = await query.hr.erp.preview_reimbursement(claim)
        except (ConnectorError, UnknownEmployee) as error:
            dispatcher.utter_message(text=error.user_message)
            return set(), False
        except Exception:
            logger.exception("the claim preview failed for sender %s", tracker.sender_id)
            dispatcher.utter_message(text=SYSTEMS_DOWN_MESSAGE)
            return set(), False
        problems = [p for p in preview.get("problems") or [] if isinstance(p, Mapping)]
        if not problems:
            return set(), False
        dispatcher.utter_message(text="\n".join(str(p.get("message") or "") for p in problems))
        codes = {str(p.get("error") or "") for p in problems}
        cleared = {PROBLEM_SLOTS[code] for code in codes if code in PROBLEM_SLOTS}
        return cleared, bool(codes & UNFIXABLE_PROBLEMS)

    def validate_claim_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        kind = expense_type_of(value)
        if kind is None:
            names = "、".join(EXPENSE_TYPE_NAMES.values())
            dispatcher.utter_message(text=f"抱歉,没有听懂是哪类费用。可以报销的有:{names}。")
        return {TYPE_SLOT: kind}

    def validate_claim_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        amount = amount_of(value)
        if amount is None:
            dispatcher.utter_message(text="金额需要是大于0的数字,请再说一下,比如「85元」。")
        return {AMOUNT_SLOT: amount}

    def validate_claim_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        day = day_of(value)
        if day is None:
            dispatcher.utter_message(text="没有听懂是哪一天,请说费用发生的日期,比如「昨天」或「11月18日」。")
            return {DATE_SLOT: None}
        today = self.today()
        if day > today:
            dispatcher.utter_message(text=f"费用日期不能晚于今天({format_date(today, today=today)}),"
                                          "请说费用实际发生的日期。")
            return {DATE_SLOT: None}
        return {DATE_SLOT: day.isoformat()}

    def validate_claim_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        city = city_in_answer(value) if isinstance(value, str) else None
        if city is None:
            dispatcher.utter_message(text="请说住宿所在的城市,比如「上海」「成都」。")
        return {CITY_SLOT: city}

    def validate_claim_nights(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        nights = count_of(value, MAX_NIGHTS)
        if nights is None:
            dispatcher.utter_message(text=f"请说住了几晚(1到{MAX_NIGHTS}晚),比如「2晚」。")
        return {NIGHTS_SLOT: nights}

    def validate_claim_persons(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        persons = count_of(value, MAX_PERSONS)
        if persons is None:
            dispatcher.utter_message(text="请说一共几个人用餐(含您自己),比如「4个人」。")
        return {PERSONS_SLOT: persons}

    def validate_claim_manager_approved(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {APPROVED_SLOT: value if isinstance(value, bool) else None}

    def validate_claim_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if _requested(tracker) == DESCRIPTION_SLOT and set(tracker.slots_to_validate()) & COSTED_SLOTS:
            # "不对,改成120块" while the description was asked corrects the claim; it is no description
            return {DESCRIPTION_SLOT: None}
        return {DESCRIPTION_SLOT: text or None}

    def validate_claim_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {CONFIRMED_SLOT: value if isinstance(value, bool) else None}


# --- action_ask_claim_confirmed -----------------------------------------------------------

def _kind_line(claim: ClaimInput, name: str) -> str:
    """"住宿费(上海,2晚)", "业务餐费(4人,事先已获主管同意)", "打车费"."""
    if claim.category == "accommodation":
        return f"{name}({claim.city},{claim.nights}晚)"
    if claim.category == "meal":
        consent = "事先已获主管同意" if claim.manager_approved else "未事先获主管同意"
        return f"{name}({claim.persons}人,{consent})" if claim.persons else f"{name}({consent})"
    return name


def _limit_line(preview: Mapping[str, Any]) -> str | None:
    limit = preview.get("limit")
    if not isinstance(limit, Mapping) or not limit.get("text"):
        return None
    section = f"(手册{limit['section']})" if limit.get("section") else ""
    line = f"· 标准{section}:{limit['text']}"
    claimed = limit.get("claimed_that_day")
    if isinstance(claimed, (int, float)) and claimed > 0:
        line += f";当天已报销{format_money(claimed)}"
    return line


class ActionAskClaimConfirmed(HRAction):
    """Asks for `claim_confirmed` with the claim as ERP's preview would file it: type (with city
    and nights, or head count and consent), amount, date, description, the standard that applies
    and the approval steps, with 确认提交 / 取消."""

    action_name = f"action_ask_{CONFIRMED_SLOT}"

    async def answer(self, query: Query) -> Reply:
        claim = claim_input_of(query.tracker.slots)
        if claim is None:
            return Reply("报销信息还不完整,请再说一下费用类型、金额和日期。")
        preview = await query.hr.erp.preview_reimbursement(claim)
        name = str(preview.get("category_name") or EXPENSE_TYPE_NAMES[claim.category])
        lines = [
            "请确认您的报销申请:",
            f"· 类型:{_kind_line(claim, name)}",
            f"· 金额:{format_money(claim.amount)}",
            f"· 日期:{format_date(claim.occurred_on, today=query.today)}",
            f"· 说明:{claim.description or '未填写'}",
        ]
        limit = _limit_line(preview)
        if limit:
            lines.append(limit)
        steps = "→".join(str(step) for step in preview.get("approval_steps") or [])
        if steps:
            lines.append(f"· 审批:{steps}")
        lines.extend(f"· 注意:{p.get('message')}" for p in preview.get("problems") or [])
        lines.append("确认提交吗?")
        return Reply("\n".join(lines), buttons=CONFIRM_BUTTONS)


# --- action_submit_reimbursement ----------------------------------------------------------

class ActionSubmitReimbursement(HRAction):
    """After the form: files the confirmed claim (ERP) and answers with its id and next step, then
    empties the form. An unconfirmed or cancelled claim is not filed (`utter_claim_not_submitted`)
    and emptied too. When filing fails (systems down, refused, timeout) the connector's message is
    said and the slots are kept, so the employee can continue the claim later."""

    action_name = "action_submit_reimbursement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        if tracker.get_slot(CONFIRMED_SLOT) is not True:
            dispatcher.utter_message(response="utter_claim_not_submitted")
            return _form_reset()
        events: EventList = await super().run(dispatcher, tracker, domain)
        if events:  # answered: filed, or found incomplete; the reply empties the form
            return events
        dispatcher.utter_message(text=KEPT_MESSAGE)
        return [SlotSet(CONFIRMED_SLOT, None)]

    async def answer(self, query: Query) -> Reply:
        claim = claim_input_of(query.tracker.slots)
        if claim is None:
            return Reply("报销信息不完整,这次没有提交。请重新说「我要报销」再办一次。",
                         events=tuple(_form_reset()))
        record = await query.hr.erp.submit_reimbursement(claim)
        name = record.get("category_name") or EXPENSE_TYPE_NAMES[claim.category]
        day = day_of(record.get("occurred_on")) or claim.occurred_on
        text = (f"已为您提交报销申请,编号{record.get('id')}:{name} {format_money(record.get('amount') or 0)},"
                f"{format_date(day, today=query.today)}。下一步:{record.get('current_step') or '审批'}。")
        return Reply(text, events=tuple(_form_reset()))
