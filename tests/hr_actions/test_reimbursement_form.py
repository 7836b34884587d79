"""The expense claim form's actions (action_start_reimbursement, validate_reimbursement_form,
action_ask_claim_confirmed, action_submit_reimbursement) against the demo backend in-process, on
the domain fragment in actions/reimbursement_form_domain.md. The clock is the demo's: Saturday
2026-11-21 10:00 (昨天 is 2026-11-20, 上周三 2026-11-11). E1008 has no taxi claims yet.

Messages are parsed as the NLU's rule-based extractor parses them (hrbot's normaliser: dates,
amounts, expense types), and the form's `from_intent` / `from_text` slots are filled as the
fragment's mappings say, so a `Conversation` goes turn by turn as the bot would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from actions.connectors import HRSession, HRSystemsClient, SystemTimeout, SystemUnavailable
from actions.reimbursement_form import (
    FORM_NAME,
    FORM_SLOTS,
    KEPT_MESSAGE,
    ActionAskClaimConfirmed,
    ActionStartReimbursement,
    ActionSubmitReimbursement,
    ValidateReimbursementForm,
    city_in_answer,
    nights_in,
)
from connector_support import REPO, backend_app, demo_config, in_process_client, run
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, reference_day, reference_now, unreachable_client

from hrbot.nlu.normalise import find_values

EMPLOYEE = "E1008"
ClientFactory = Callable[[], HRSystemsClient]


def domain() -> dict[str, Any]:
    """The first YAML block of the proposed domain fragment."""
    text = (REPO / "actions" / "reimbursement_form_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


DOMAIN = domain()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A backend for tests that file nothing."""
    with backend_app(tmp_path_factory.mktemp("claim-form") / "b.db") as served:
        yield served


@pytest.fixture()
def fresh_app(tmp_path: Path) -> Iterator[Any]:
    """A backend of its own for a test that files a claim."""
    with backend_app(tmp_path / "b.db") as served:
        yield served


def message(text: str, intent: str) -> dict[str, Any]:
    """The parse of `text` as the NLU's rule-based extractor gives it on the reference day."""
    found = find_values(text, reference_day(), ("date", "amount", "expense_type"))
    return {"text": text, "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": m.entity, "value": m.value} for m in found]}


def mapped_slots(parse: Mapping[str, Any], requested: str | None) -> dict[str, Any]:
    """The form's slots the fragment's from_intent / from_text mappings fill from `parse`."""
    intent = parse["intent"]["name"]
    filled: dict[str, Any] = {}
    for name, slot in DOMAIN["slots"].items():
        for mapping in slot["mappings"]:
            conditions = mapping.get("conditions") or []
            if not any(c.get("active_loop") == FORM_NAME and c.get("requested_slot") == requested
                       for c in conditions):
                continue
            if mapping["type"] == "from_intent" and mapping["intent"] == intent:
                filled[name] = mapping["value"]
            elif mapping["type"] == "from_text" and intent not in mapping.get("not_intent", []):
                filled[name] = parse["text"]
    return filled


def tracker_of(slots: Mapping[str, Any], parse: Mapping[str, Any], candidates: Mapping[str, Any]) -> Tracker:
    """A tracker inside the form: `candidates` are the slot events after the user's message."""
    events: list[dict[str, Any]] = [
        {"event": "user", "text": parse["text"], "parse_data": dict(parse)},
        *({"event": "slot", "name": k, "value": v} for k, v in candidates.items()),
    ]
    all_slots = {**dict.fromkeys(FORM_SLOTS), "requested_slot": None, **slots, **candidates}
    loop = {"name": FORM_NAME}
    return Tracker(EMPLOYEE, all_slots, dict(parse), events, False, None, loop, "action_listen")


@dataclass
class Conversation:
    """One employee filling the form: each turn runs the action the rules and the form would run
    and keeps the slots it sets."""

    app: Any
    client_factory: ClientFactory | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    parse: dict[str, Any] = field(default_factory=lambda: message("", "inform"))

    def _client(self) -> ClientFactory:
        return self.client_factory or (lambda: in_process_client(self.app))

    def _apply(self, dispatcher: CollectingDispatcher, events: list[dict[str, Any]]) -> Answer:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return Answer(messages=dispatcher.messages, events=events)

    def start(self, text: str, intent: str = "reimbursement_submit") -> Answer:
        """The triggering message: the start action, then the form's validation on activation
        (of the required slots already filled)."""
        self.parse = message(text, intent)
        start = ActionStartReimbursement()
        tracker = tracker_of({**self.slots, "requested_slot": None}, self.parse, {})
        started = self._apply(CollectingDispatcher(), run(start.run(CollectingDispatcher(), tracker, DOMAIN)))
        prefilled = {k: v for k, v in self.slots.items() if k in FORM_SLOTS and v is not None}
        validated = self._validate(prefilled, requested=None)
        return Answer(messages=validated.messages, events=started.events + validated.events)

    def say(self, text: str, intent: str = "inform") -> Answer:
        """An answer while the form runs."""
        self.parse = message(text, intent)
        requested = self.slots.get("requested_slot")
        return self._validate(mapped_slots(self.parse, requested), requested=requested)

    def _validate(self, candidates: Mapping[str, Any], requested: str | None) -> Answer:
        action = ValidateReimbursementForm(self._client(), clock=reference_now)
        dispatcher = CollectingDispatcher()
        tracker = tracker_of({**self.slots, "requested_slot": requested}, self.parse, candidates)
        self.slots.update(candidates)
        return self._apply(dispatcher, run(action.run(dispatcher, tracker, DOMAIN)))

    def act(self, action_class: type[ActionAskClaimConfirmed | ActionSubmitReimbursement]) -> Answer:
        action = action_class(self._client(), clock=reference_now)
        dispatcher = CollectingDispatcher()
        tracker = tracker_of(self.slots, self.parse, {})
        return self._apply(dispatcher, run(action.run(dispatcher, tracker, DOMAIN)))

    @property
    def asks(self) -> str | None:
        return self.slots.get("requested_slot")


def claims_of(app: Any) -> list[dict[str, Any]]:
    async def fetch() -> list[dict[str, Any]]:
        async with in_process_client(app) as client:
            answer = await HRSession(client, EMPLOYEE).erp.reimbursements()
            return list(answer["reimbursements"])
    return run(fetch())


def taxi_to_confirmation(app: Any, **options: Any) -> Conversation:
    chat = Conversation(app, **options)
    chat.start("我要报销打车费85元")
    chat.say("昨天")
    chat.say("加班打车回家")
    return chat


# --- reading answers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "city"), [
    ("上海", "上海"), ("在上海住的", "上海"), ("成都市", "成都"), ("是北京。", "北京"),
    ("3", None), ("", None),
])
def test_the_city_is_read_from_an_answer(text: str, city: str | None) -> None:
    assert city_in_answer(text) == city


@pytest.mark.parametrize(("text", "nights"), [
    ("住了三晚", 3), ("3天2晚", 2), ("两个晚上", 2), ("昨天晚上", None),
])
def test_nights_are_read_from_the_text(text: str, nights: int | None) -> None:
    assert nights_in(text) == nights


# --- the first message ---------------------------------------------------------------------------

def test_the_first_message_fills_type_and_amount_and_the_form_asks_the_date(app: Any) -> None:
    chat = Conversation(app)

    answer = chat.start("我要报销打车费85元")

    assert answer.messages == []
    assert (chat.slots["claim_type"], chat.slots["claim_amount"]) == ("taxi", 85)
    assert chat.asks == "claim_date"


def test_the_first_message_fills_type_and_date(app: Any) -> None:
    chat = Conversation(app)

    chat.start("报销上周三的住宿费")

    assert (chat.slots["claim_type"], chat.slots["claim_date"]) == ("accommodation", "2026-11-11")
    assert chat.asks == "claim_amount"


def test_a_claim_left_unfiled_is_continued_but_naming_another_type_starts_afresh(app: Any) -> None:
    left = {"claim_type": "taxi", "claim_amount": 85, "claim_date": "2026-11-20", "claim_description": "加班"}

    continued = Conversation(app, slots=dict(left))
    continued.start("我要报销")
    fresh = Conversation(app, slots=dict(left))
    fresh.start("报销餐费")

    assert continued.asks == "claim_confirmed" and continued.slots["claim_amount"] == 85
    assert fresh.slots["claim_type"] == "meal" and fresh.slots["claim_amount"] is None
    assert fresh.asks == "claim_amount"


# --- checking each answer ------------------------------------------------------------------------

def test_a_claim_over_the_taxi_limit_is_refused_with_the_reason_and_the_amount_asked_again(app: Any) -> None:
    chat = Conversation(app)
    chat.start("报销昨天的打车费")

    answer = chat.say("150元")

    assert "市内打车每天不超过100元" in answer.text and "手册5.2" in answer.text
    assert answer.slot("claim_amount") is None
    assert chat.asks == "claim_amount"
    assert chat.say("90元").messages == []
    assert chat.asks == "claim_description"


def test_an_expense_older_than_thirty_days_is_refused_and_the_date_asked_again(app: Any) -> None:
    chat = Conversation(app)
    chat.start("我要报销打车费85元")

    answer = chat.say("10月15日")

    assert "30天内" in answer.text and "手册5.1" in answer.text
    assert answer.slot("claim_date") is None
    assert chat.asks == "claim_date"


def test_a_date_in_the_future_is_asked_again(app: Any) -> None:
    chat = Conversation(app)
    chat.start("我要报销打车费85元")

    answer = chat.say("下周一")

    assert "不能晚于今天" in answer.text
    assert chat.slots["claim_date"] is None and chat.asks == "claim_date"


def test_an_unknown_expense_type_is_asked_again_with_the_types_there_are(app: Any) -> None:
    chat = Conversation(app, slots={"requested_slot": "claim_type"})

    answer = chat._validate({"claim_type": "gift"}, requested="claim_type")

    assert answer.slot("claim_type") is None
    assert "住宿" in answer.text and "办公用品" in answer.text


@pytest.mark.parametrize(("asked", "answer", "explained"), [
    ("claim_type", "买了些礼品", "可以报销的有"),
    ("claim_amount", "记不清了", "大于0的数字"),
    ("claim_date", "好久以前", "哪一天"),
])
def test_an_answer_that_cannot_be_read_is_asked_again_with_what_is_wanted(
    app: Any, asked: str, answer: str, explained: str
) -> None:
    before = ("claim_type", "claim_amount", "claim_date")
    earlier = dict(zip(before[:before.index(asked)], ("taxi", 85), strict=False))
    chat = Conversation(app, slots={**earlier, "requested_slot": asked})

    reply = chat.say(answer)

    assert explained in reply.text
    assert reply.slot(asked) is None and chat.asks == asked


def test_accommodation_asks_the_city_and_nights_and_applies_the_first_tier_limit(app: Any) -> None:
    chat = Conversation(app)
    chat.start("报销上周三的住宿费")
    chat.say("1200元")
    assert chat.asks == "claim_city"
    chat.say("上海")
    assert chat.asks == "claim_nights"

    refused = chat.say("两晚")

    assert "一线城市每晚不超过500元" in refused.text and "600.00元" in refused.text
    assert chat.asks == "claim_amount"
    assert chat.say("900元").messages == []
    assert (chat.slots["claim_city"], chat.slots["claim_nights"]) == ("上海", 2)
    assert chat.asks == "claim_description"


def test_accommodation_elsewhere_has_the_lower_limit(app: Any) -> None:
    chat = Conversation(app)
    chat.start("报销上周三的住宿费900元")
    chat.say("成都")

    refused = chat.say("2")

    assert "非一线城市每晚不超过350元" in refused.text
    assert chat.slots["claim_nights"] == 2 and chat.slots["claim_amount"] is None


def test_a_meal_asks_prior_consent_then_the_head_count_and_checks_the_per_person_limit(app: Any) -> None:
    chat = Conversation(app)
    chat.start("请客户吃饭花了800元,报一下")
    chat.say("昨天")
    assert chat.asks == "claim_manager_approved"
    chat.say("事先同意了", intent="affirm")
    assert chat.asks == "claim_persons"

    refused = chat.say("4个人")

    assert "每人每餐不超过150元" in refused.text and "人均200.00元" in refused.text
    assert chat.asks == "claim_amount"
    chat.say("600元")
    assert (chat.slots["claim_persons"], chat.asks) == (4, "claim_description")


def test_a_meal_without_prior_consent_is_not_filed_and_the_form_ends(fresh_app: Any) -> None:
    chat = Conversation(fresh_app)
    chat.start("报销昨天的餐费300元")

    refused = chat.say("没有", intent="deny")

    assert "须事先获主管同意" in refused.text
    assert chat.slots["claim_confirmed"] is False and chat.asks is None
    submitted = chat.act(ActionSubmitReimbursement)
    assert submitted.messages[0]["response"] == "utter_claim_not_submitted"
    assert [c for c in claims_of(fresh_app) if c["category"] == "meal"] == []


def test_a_bare_number_answering_the_head_count_is_not_taken_as_the_amount(app: Any) -> None:
    chat = Conversation(app)
    chat.start("报销昨天的餐费300元")
    chat.say("是的", intent="affirm")

    chat.say("3")

    assert (chat.slots["claim_persons"], chat.slots["claim_amount"]) == (3, 300)


def test_a_question_mid_form_fills_nothing_so_the_rules_can_answer_it(app: Any) -> None:
    chat = Conversation(app)
    chat.start("我要报销")
    chat.say("打车")

    answer = chat.say("打车报销标准是多少", intent="policy_question")

    assert [e for e in answer.events if e.get("name") != "requested_slot"] == []
    assert chat.asks == "claim_amount"


def test_a_correction_while_the_description_is_asked_is_not_the_description(app: Any) -> None:
    chat = Conversation(app)
    chat.start("我要报销打车费85元")
    chat.say("昨天")

    chat.say("不对,改成60块")

    assert (chat.slots["claim_amount"], chat.slots["claim_description"]) == (60, None)
    assert chat.asks == "claim_description"
    chat.say("出差期间打车")
    assert (chat.slots["claim_type"], chat.slots["claim_description"]) == ("taxi", "出差期间打车")


def test_a_correction_at_the_confirmation_replaces_the_amount_and_asks_to_confirm_again(app: Any) -> None:
    chat = taxi_to_confirmation(app)
    assert chat.asks == "claim_confirmed"

    answer = chat.say("不对,改成95元", intent="deny")

    assert answer.messages == []
    assert (chat.slots["claim_amount"], chat.slots["claim_confirmed"]) == (95, None)
    assert chat.asks == "claim_confirmed"


# --- the confirmation --------------------------------------------------------------------------

def test_the_confirmation_summarises_the_claim_and_the_standard_that_applies(app: Any) -> None:
    chat = taxi_to_confirmation(app)

    answer = chat.act(ActionAskClaimConfirmed)

    text = answer.text
    assert "打车费" in text and "85 元" in text and "11月20日(周五)" in text and "加班打车回家" in text
    assert "标准(手册5.2):市内打车每天不超过100元" in text
    assert "部门主管审批→财务审核→付款" in text
    assert [b["title"] for b in answer.buttons] == ["确认提交", "取消"]
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


def test_the_confirmation_of_a_hotel_names_the_city_nights_and_its_tier(app: Any) -> None:
    chat = Conversation(app, slots={
        "claim_type": "accommodation", "claim_amount": 700, "claim_date": "2026-11-11",
        "claim_city": "杭州", "claim_nights": 2, "claim_description": "客户拜访",
    })

    text = chat.act(ActionAskClaimConfirmed).text

    assert "住宿费(杭州,2晚)" in text and "非一线城市每晚不超过350元" in text


# --- filing ------------------------------------------------------------------------------------

def test_a_confirmed_claim_is_filed_and_shows_up_in_a_later_read(fresh_app: Any) -> None:
    chat = taxi_to_confirmation(fresh_app)
    chat.say("确认提交", intent="affirm")
    assert chat.asks is None and chat.slots["claim_confirmed"] is True
    before = {c["id"] for c in claims_of(fresh_app)}

    answer = chat.act(ActionSubmitReimbursement)

    (new,) = [c for c in claims_of(fresh_app) if c["id"] not in before]
    assert (new["category"], new["amount"], new["occurred_on"], new["description"]) == (
        "taxi", 85, "2026-11-20", "加班打车回家")
    assert new["id"] in answer.text and "下一步:部门主管审批" in answer.text
    assert all(chat.slots[slot] is None for slot in FORM_SLOTS)


def test_a_cancelled_claim_files_nothing_and_empties_the_form(fresh_app: Any) -> None:
    chat = taxi_to_confirmation(fresh_app)
    chat.say("取消", intent="deny")
    before = claims_of(fresh_app)

    answer = chat.act(ActionSubmitReimbursement)

    assert claims_of(fresh_app) == before
    assert [m.get("response") for m in answer.messages] == ["utter_claim_not_submitted"]
    assert all(chat.slots[slot] is None for slot in FORM_SLOTS)


def test_a_refusal_at_filing_is_relayed_and_the_claim_kept(fresh_app: Any) -> None:
    chat = taxi_to_confirmation(fresh_app)
    chat.say("确认", intent="affirm")
    other = Conversation(fresh_app, slots={**chat.slots})
    other.act(ActionSubmitReimbursement)  # the same 85 元 filed meanwhile: today's taxi limit is used up

    answer = chat.act(ActionSubmitReimbursement)

    assert "市内打车每天不超过100元" in answer.messages[0]["text"]
    assert answer.messages[1]["text"] == KEPT_MESSAGE
    assert (chat.slots["claim_amount"], chat.slots["claim_confirmed"]) == (85, None)


# --- when the systems fail ---------------------------------------------------------------------

class FailingErp(httpx.AsyncBaseTransport):
    """The demo backend in-process, except that ERP calls under `prefix` fail with `error`."""

    def __init__(self, app: Any, prefix: str, error: type[httpx.TransportError]) -> None:
        self._backend = httpx.ASGITransport(app=app)
        self._prefix, self._error = prefix, error

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(self._prefix):
            raise self._error("the ERP system failed", request=request)
        return await self._backend.handle_async_request(request)


def failing_erp(app: Any, prefix: str, error: type[httpx.TransportError]) -> ClientFactory:
    return lambda: HRSystemsClient(demo_config(), transport=FailingErp(app, prefix, error), retry_delay=0)


def test_with_erp_down_the_answers_are_kept_and_the_connectors_message_said(app: Any) -> None:
    chat = Conversation(app, client_factory=failing_erp(app, "/erp/", httpx.ConnectError))
    chat.start("我要报销打车费85元")

    checked = chat.say("昨天")
    chat.say("加班打车回家")
    chat.say("确认", intent="affirm")
    filed = chat.act(ActionSubmitReimbursement)

    down = SystemUnavailable("erp", "").user_message
    assert checked.text == down
    assert (chat.slots["claim_date"], chat.slots["claim_description"]) == ("2026-11-20", "加班打车回家")
    assert [m["text"] for m in filed.messages] == [down, KEPT_MESSAGE]
    assert (chat.slots["claim_type"], chat.slots["claim_amount"], chat.slots["claim_confirmed"]) == (
        "taxi", 85, None)


def test_with_every_system_down_the_form_still_keeps_the_answers(app: Any) -> None:
    chat = Conversation(app, client_factory=unreachable_client)
    chat.start("我要报销打车费85元")

    answer = chat.say("昨天")

    assert answer.text == SystemUnavailable("hrm", "").user_message
    assert (chat.slots["claim_amount"], chat.slots["claim_date"], chat.asks) == (85, "2026-11-20",
                                                                                 "claim_description")


def test_a_preview_that_times_out_is_reported_as_nothing_filed(app: Any) -> None:
    slow_preview = failing_erp(app, "/erp/reimbursements/preview", httpx.ReadTimeout)
    chat = Conversation(app, client_factory=slow_preview)
    chat.start("我要报销打车费85元")

    answer = chat.say("昨天")

    assert answer.text == SystemTimeout("erp", "", write=False).user_message
    assert "可能已经成功" not in answer.text
    assert chat.slots["claim_date"] == "2026-11-20"


def test_a_filing_that_times_out_keeps_the_claim_and_says_to_check_first(fresh_app: Any) -> None:
    chat = taxi_to_confirmation(fresh_app)
    chat.say("确认", intent="affirm")
    chat.client_factory = failing_erp(fresh_app, "/erp/reimbursements", httpx.ReadTimeout)

    answer = chat.act(ActionSubmitReimbursement)

    assert answer.messages[0]["text"] == SystemTimeout("erp", "", write=True).user_message
    assert answer.messages[1]["text"] == KEPT_MESSAGE
    assert chat.slots["claim_amount"] == 85
