"""The office supplies flow: telling a request from a question about records, reading item and
quantity from the text, and the form's actions against the demo backend in-process (clock:
Saturday 2026-11-21 10:00), on the domain fragment in actions/material_form_domain.md. E1008 has
a pending request for a 显示器 in company.json."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from actions.connectors import HRSession, HRSystemsClient
from actions.connectors.errors import (
    BadRequest,
    NotAuthorized,
    SystemTimeout,
    SystemUnavailable,
)
from actions.expenses import ActionMaterialRequestStatus
from actions.material_form import (
    CONFIRMED_SLOT,
    FORM_NAME,
    FORM_SLOTS,
    ITEM_HINT,
    ITEM_SLOT,
    NOT_SUBMITTED,
    QUANTITY_HINT,
    QUANTITY_SLOT,
    REASON_SLOT,
    WANTS_REQUEST_SLOT,
    ActionAskMaterialConfirmed,
    ActionMaterialRequestIntent,
    ActionSubmitMaterialRequest,
    ValidateMaterialForm,
)
from actions.material_items import (
    NO_REASON,
    asks_about_records,
    item_in,
    means_no_reason,
    quantity_in,
)
from connector_support import REPO, backend_app, demo_config, in_process_client, run
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, ask, reference_now, rows, unreachable_client

EMPLOYEE = "E1008"
ERP_PATH = "/erp/material-requests"


# --- reading the message -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "我领过哪些办公用品", "我的领用记录", "我申请的显示器发了吗", "显示器申请进度", "我去年领了几个鼠标",
    "耳机申请批了没", "我申请的物料到了吗", "我的资产清单", "我名下有哪些设备", "笔记本电脑什么时候能发给我",
    "我上个月申请的键盘还没发", "领用申请审批到哪了", "查一下我的领用申请", "我的显示器申请被驳回了吗",
])
def test_a_question_about_past_requests_is_not_a_new_request(text: str) -> None:
    assert asks_about_records(text)


@pytest.mark.parametrize("text", [
    "我想领一个显示器", "申请一台笔记本电脑", "键盘坏了,想换一个", "领个鼠标", "我要申请办公椅",
    "工牌丢了要补办", "领用申请", "申请耳机一副", "物资申领", "要一把新椅子", "需要一个笔记本,记东西用的",
    "显示器能领两个吗",
    "帮我提交一个键鼠套装的申请", "想再要一个显示器做双屏", "电脑太卡了申请换新的", "新员工领电脑",
])
def test_wanting_something_is_a_new_request(text: str) -> None:
    assert not asks_about_records(text)


@pytest.mark.parametrize(("text", "item", "quantity"), [
    ("我想领两个显示器", "显示器", 2),
    ("我想领一个显示器", "显示器", 1),
    ("申请一台笔记本电脑", "笔记本电脑", 1),
    ("领个鼠标", "鼠标", 1),
    ("要一把新椅子", "新椅子", 1),
    ("领两支笔", "笔", 2),
    ("我要领一包A4纸", "A4纸", 1),
    ("领四个五号电池", "五号电池", 4),
    ("要两个27寸显示器", "27寸显示器", 2),
    ("申请耳机一副", "耳机", 1),
    ("想要个人体工学椅", "人体工学椅", 1),
    ("给我配个耳麦,客服接线用", "耳麦", 1),
    ("帮我申请一个外接显示器,写代码用", "外接显示器", 1),
    ("想再要一个显示器做双屏", "显示器", 1),
    ("帮我提交一个键鼠套装的申请", "键鼠套装", 1),
    ("显示器能领两个吗", "显示器", 2),
    ("我想领十五盒签字笔", "签字笔", 15),
    ("我想领五十个显示器", "显示器", 50),
    ("键盘坏了,想换一个", "键盘", 1),
    ("打印机墨盒没了,申请领一个", "打印机墨盒", 1),
    ("工牌丢了要补办", "工牌", None),
    ("电脑太卡了申请换新的", "电脑", None),
    ("申请白板笔", "白板笔", None),
    ("领用申请", None, None),
    ("申请点办公用品", None, None),
    ("去哪领文具", None, None),
])
def test_item_and_quantity_are_read_from_a_request(text: str, item: str | None, quantity: int | None) -> None:
    found = quantity_in(text)
    assert item_in(text) == item
    assert (found.value if found else None) == quantity


@pytest.mark.parametrize(("text", "item", "quantity"), [
    ("显示器", "显示器", None), ("两个显示器", "显示器", 2), ("3", None, 3), ("三", None, 3),
    ("不对,要三个", None, 3), ("不是显示器,是键盘", "键盘", None), ("办公用品", None, None),
    ("算了不领了", None, None), ("27寸的显示器", "27寸的显示器", None),
])
def test_a_bare_answer_is_read_as_the_item_or_number_asked_for(
    text: str, item: str | None, quantity: int | None
) -> None:
    found = quantity_in(text, bare=True)
    assert item_in(text, bare=True) == item
    assert (found.value if found else None) == quantity


@pytest.mark.parametrize(("text", "none"), [
    ("没有", True), ("不用", True), ("不用了", True), ("无", True), ("没什么理由", True),
    ("算了", False), ("不领了", False), ("旧的坏了", False),
])
def test_no_reason_is_told_from_a_reason_and_from_cancelling(text: str, none: bool) -> None:
    assert means_no_reason(text) is none


# --- the actions -------------------------------------------------------------------------------

def domain() -> dict[str, Any]:
    text = (REPO / "actions" / "material_form_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("material-form") / "b.db") as served:
        yield served


@pytest.fixture()
def fresh_app(tmp_path: Path) -> Iterator[Any]:
    """A backend of its own for a test that files a request."""
    with backend_app(tmp_path / "b.db") as served:
        yield served


def form_tracker(slots: Mapping[str, Any] | None = None, *, text: str = "", intent: str = "inform",
                 requested: str | None = None, handled_by: str | None = None) -> Tracker:
    """A tracker inside material_form after the employee said `text`; `handled_by` an action that
    answered the message before the form came back."""
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    events: list[dict[str, Any]] = [{"event": "user", "text": text, "parse_data": message}]
    if handled_by:
        events.append({"event": "action", "name": handled_by})
    events.append({"event": "action", "name": FORM_NAME})
    all_slots = {**{slot: None for slot in FORM_SLOTS}, WANTS_REQUEST_SLOT: True,
                 "requested_slot": requested, **dict(slots or {})}
    return Tracker(EMPLOYEE, all_slots, message, events, False, None, {"name": FORM_NAME}, "action_listen")


def act(action: Action, tracker: Tracker) -> Answer:
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker, domain()))
    return Answer(messages=dispatcher.messages, events=events)


def validate(tracker: Tracker) -> Answer:
    return act(ValidateMaterialForm(), tracker)


def confirm(app: Any, tracker: Tracker, factory: Callable[[], HRSystemsClient] | None = None) -> Answer:
    return act(ActionAskMaterialConfirmed(factory or (lambda: in_process_client(app)), clock=reference_now),
               tracker)


def submit(app: Any, tracker: Tracker, factory: Callable[[], HRSystemsClient] | None = None) -> Answer:
    return act(ActionSubmitMaterialRequest(factory or (lambda: in_process_client(app)), clock=reference_now),
               tracker)


def records(app: Any) -> list[dict[str, Any]]:
    async def fetch() -> list[dict[str, Any]]:
        async with in_process_client(app) as client:
            answer = await HRSession(client, EMPLOYEE).erp.material_requests()
            return list(answer["material_requests"])
    return run(fetch())


def slots_after(slots: Mapping[str, Any], answer: Answer) -> dict[str, Any]:
    return {**slots, **{e["name"]: e["value"] for e in answer.events if e.get("event") == "slot"}}


CONFIRMED_REQUEST = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 2.0, REASON_SLOT: "旧的坏了", CONFIRMED_SLOT: True}


def test_the_domain_fragment_names_the_forms_slots_and_actions() -> None:
    fragment = domain()
    assert tuple(fragment["forms"][FORM_NAME]["required_slots"]) == FORM_SLOTS
    assert set(fragment["slots"]) == {*FORM_SLOTS, WANTS_REQUEST_SLOT}
    names = {ActionMaterialRequestIntent().name(), ValidateMaterialForm().name(),
             ActionAskMaterialConfirmed().name(), ActionSubmitMaterialRequest().name()}
    assert set(fragment["actions"]) == names


@pytest.mark.parametrize(("text", "wants"), [
    ("我想领两个显示器", True), ("帮我申请一个外接显示器,写代码用", True), ("要一把新椅子", True),
    ("领用申请", True), ("我领过哪些办公用品", False), ("耳机申请批了没", False), ("我的领用记录", False),
])
def test_the_intent_action_tells_a_request_from_a_question_about_records(text: str, wants: bool) -> None:
    answer = act(ActionMaterialRequestIntent(), form_tracker(text=text, intent="material_request"))

    assert answer.slot(WANTS_REQUEST_SLOT) is wants
    if not wants:
        assert len(answer.events) == 1


def test_the_intent_action_pre_fills_item_and_quantity_and_empties_an_old_request() -> None:
    old = {ITEM_SLOT: "键盘", REASON_SLOT: "旧的坏了", CONFIRMED_SLOT: False}
    tracker = form_tracker(old, text="我想领两个显示器", intent="material_request")
    answer = act(ActionMaterialRequestIntent(), tracker)

    assert answer.slot(ITEM_SLOT) == "显示器"
    assert answer.slot(QUANTITY_SLOT) == 2.0
    assert answer.slot(REASON_SLOT) is None and answer.slot(CONFIRMED_SLOT) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("键盘坏了,想换一个", "键盘坏了"), ("帮我申请一个外接显示器,写代码用", "写代码用"),
    ("想再要一个显示器做双屏", "做双屏"), ("电脑太卡了申请换新的", "电脑太卡了"),
    ("工牌丢了要补办", "工牌丢了"),
    ("我想领两个显示器", None), ("显示器能领两个吗", None),
])
def test_a_reason_the_first_message_gives_is_kept_so_it_is_not_asked(text: str, reason: str | None) -> None:
    answer = act(ActionMaterialRequestIntent(), form_tracker(text=text, intent="material_request"))

    assert {e["name"]: e["value"] for e in answer.events}.get(REASON_SLOT) == reason


def test_a_quantity_over_twenty_is_refused_and_asked_again() -> None:
    answer = validate(form_tracker({ITEM_SLOT: "签字笔"}, text="50个", requested=QUANTITY_SLOT))

    assert "一次最多申请20件" in answer.text and "50" in answer.text
    assert answer.slot(QUANTITY_SLOT) is None  # said, so the form asks again rather than rejecting


def test_a_quantity_over_twenty_in_the_first_message_is_refused_when_the_form_starts() -> None:
    slots = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 50.0}
    answer = validate(form_tracker(slots, text="我想领五十个显示器", intent="material_request"))

    assert "一次最多申请20件" in answer.text
    assert answer.slot(QUANTITY_SLOT) is None
    assert all(e["name"] != ITEM_SLOT for e in answer.events)


@pytest.mark.parametrize(("text", "words"), [("0个", "至少是1"), ("1.5个", "整数"), ("半个", "整数")])
def test_a_quantity_that_is_not_one_to_twenty_whole_pieces_is_refused(text: str, words: str) -> None:
    answer = validate(form_tracker({ITEM_SLOT: "签字笔"}, text=text, requested=QUANTITY_SLOT))

    assert words in answer.text
    assert answer.slot(QUANTITY_SLOT) is None


def test_a_bare_number_answers_the_quantity_question() -> None:
    answer = validate(form_tracker({ITEM_SLOT: "签字笔"}, text="三", requested=QUANTITY_SLOT))

    assert answer.messages == [] and answer.slot(QUANTITY_SLOT) == 3.0


def test_an_answer_without_a_number_gets_a_hint() -> None:
    answer = validate(form_tracker({ITEM_SLOT: "签字笔"}, text="多来点", requested=QUANTITY_SLOT))

    assert answer.text == QUANTITY_HINT
    assert answer.slot(QUANTITY_SLOT) is None


def test_the_item_answer_may_carry_the_quantity() -> None:
    answer = validate(form_tracker(text="两个显示器", requested=ITEM_SLOT))

    assert answer.slot(ITEM_SLOT) == "显示器" and answer.slot(QUANTITY_SLOT) == 2.0


@pytest.mark.parametrize("text", ["办公用品", "???"])
def test_a_vague_item_is_asked_again_with_examples(text: str) -> None:
    answer = validate(form_tracker(text=text, requested=ITEM_SLOT))

    assert answer.text == ITEM_HINT
    assert answer.slot(ITEM_SLOT) is None


def test_an_item_name_over_fifty_characters_is_refused() -> None:
    answer = validate(form_tracker(text="显示器" * 17, requested=ITEM_SLOT))

    assert "最多50个字" in answer.text
    assert answer.slot(ITEM_SLOT) is None


def test_cancelling_fills_nothing_so_the_form_yields_to_the_cancel_rule() -> None:
    for requested in (ITEM_SLOT, QUANTITY_SLOT, REASON_SLOT):
        answer = validate(form_tracker({ITEM_SLOT: "显示器"}, text="算了不领了", intent="deny",
                                       requested=requested))
        assert answer.events == [] and answer.messages == []


@pytest.mark.parametrize(("text", "intent"), [("不用", "deny"), ("没有", "inform"), ("无", "inform")])
def test_no_reason_fills_the_reason_even_when_read_as_deny(text: str, intent: str) -> None:
    slots = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 1.0}
    answer = validate(form_tracker(slots, text=text, intent=intent, requested=REASON_SLOT))

    assert answer.slot(REASON_SLOT) == NO_REASON


def test_a_reason_mentioning_numbers_is_a_reason_not_a_new_quantity() -> None:
    slots = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 1.0}
    answer = validate(form_tracker(slots, text="新来了三个同事,电脑太卡了", requested=REASON_SLOT))

    assert answer.slot(REASON_SLOT) == "新来了三个同事,电脑太卡了"
    assert all(e["name"] in (REASON_SLOT,) for e in answer.events)


def test_a_correction_at_the_summary_changes_the_quantity_and_asks_to_confirm_again() -> None:
    slots = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 2.0, REASON_SLOT: NO_REASON, CONFIRMED_SLOT: False}
    answer = validate(form_tracker(slots, text="不对,要三个", intent="deny", requested=CONFIRMED_SLOT))

    assert answer.slot(QUANTITY_SLOT) == 3.0
    assert answer.slot(CONFIRMED_SLOT) is None


def test_a_correction_of_the_item_at_the_summary_is_taken() -> None:
    slots = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 1.0, REASON_SLOT: NO_REASON}
    answer = validate(form_tracker(slots, text="改成键盘", requested=CONFIRMED_SLOT))

    assert answer.slot(ITEM_SLOT) == "键盘"


@pytest.mark.parametrize(("text", "intent", "requested"), [
    ("我的领用记录", "material_request", ITEM_SLOT), ("我年假还剩几天", "leave_balance", REASON_SLOT),
    ("可以领几个?", "material_request", QUANTITY_SLOT),
])
def test_a_question_inside_the_form_answers_nothing_so_the_rules_can_answer_it(
    text: str, intent: str, requested: str
) -> None:
    answer = validate(form_tracker({ITEM_SLOT: "显示器"} if requested != ITEM_SLOT else {}, text=text,
                                   intent=intent, requested=requested))

    assert answer.events == [] and answer.messages == []


def test_a_correction_before_the_summary_is_acknowledged_and_the_open_question_stays() -> None:
    slots = {ITEM_SLOT: "显示器", QUANTITY_SLOT: 2.0}
    answer = validate(form_tracker(slots, text="不对,要领键盘", intent="deny", requested=REASON_SLOT))

    assert answer.text == "好的,已改为键盘×2。"
    assert answer.slot(ITEM_SLOT) == "键盘"
    assert all(e["name"] != REASON_SLOT for e in answer.events)


def test_a_message_another_action_answered_is_not_taken_as_the_item() -> None:
    answer = validate(form_tracker(text="年假还剩几天", intent="leave_balance", requested=ITEM_SLOT,
                                   handled_by="action_leave_balance"))

    assert answer.events == [] and answer.messages == []


def test_the_confirmation_shows_the_request_and_a_pending_one_for_the_same_item(app: Any) -> None:
    pending = [r for r in rows("material_requests", employee_id=EMPLOYEE, item="显示器", status="pending")]
    answer = confirm(app, form_tracker({**CONFIRMED_REQUEST, CONFIRMED_SLOT: None}, requested=CONFIRMED_SLOT))

    assert "· 物品:显示器" in answer.text and "· 数量:2" in answer.text and "· 事由:旧的坏了" in answer.text
    assert pending and all(str(r["id"]) in answer.text for r in pending)
    assert [b["title"] for b in answer.buttons] == ["确认提交", "取消"]
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


def test_the_confirmation_is_asked_even_when_erp_is_down(app: Any) -> None:
    slots = {ITEM_SLOT: "键盘", QUANTITY_SLOT: 1.0, REASON_SLOT: NO_REASON}
    answer = confirm(app, form_tracker(slots, requested=CONFIRMED_SLOT), unreachable_client)

    assert "· 物品:键盘" in answer.text and "· 事由:未填写" in answer.text
    assert len(answer.buttons) == 2


def test_a_whole_request_from_the_first_message_to_filing_shows_in_the_records(fresh_app: Any) -> None:
    before = records(fresh_app)
    first = "我想领两个显示器"
    slots = slots_after({}, act(ActionMaterialRequestIntent(),
                                form_tracker(text=first, intent="material_request")))
    slots = slots_after(slots, validate(form_tracker(slots, text=first, intent="material_request")))
    slots = slots_after(slots, validate(form_tracker(slots, text="旧的坏了", requested=REASON_SLOT)))
    assert confirm(fresh_app, form_tracker(slots, requested=CONFIRMED_SLOT)).buttons
    slots[CONFIRMED_SLOT] = True  # the affirm mapping, "确认提交"

    answer = submit(fresh_app, form_tracker(slots, text="确认提交", intent="affirm"))

    new = [r for r in records(fresh_app) if r not in before]
    assert len(new) == 1
    assert (new[0]["item"], new[0]["quantity"], new[0]["reason"], new[0]["status"]) == \
        ("显示器", 2, "旧的坏了", "pending")
    assert f"编号{new[0]['id']}" in answer.text and "待审批" in answer.text and "显示器×2" in answer.text
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None
    listed = ask(fresh_app, ActionMaterialRequestStatus, EMPLOYEE, "我的领用记录", intent="material_request")
    assert str(new[0]["id"]) in listed.text


def test_a_request_without_a_reason_is_filed_with_none(fresh_app: Any) -> None:
    before = records(fresh_app)
    slots = {ITEM_SLOT: "签字笔", QUANTITY_SLOT: 10.0, REASON_SLOT: NO_REASON, CONFIRMED_SLOT: True}
    answer = submit(fresh_app, form_tracker(slots, intent="affirm"))

    new = [r for r in records(fresh_app) if r not in before]
    assert len(new) == 1 and new[0]["reason"] == "" and new[0]["quantity"] == 10
    assert "事由" not in answer.text


@pytest.mark.parametrize("confirmed", [False, None])
def test_a_cancelled_request_files_nothing(fresh_app: Any, confirmed: bool | None) -> None:
    before = records(fresh_app)
    answer = submit(fresh_app, form_tracker({**CONFIRMED_REQUEST, CONFIRMED_SLOT: confirmed}, intent="deny"))

    assert answer.text == NOT_SUBMITTED
    assert records(fresh_app) == before
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_with_the_backend_down_nothing_is_filed_and_the_employee_is_told(app: Any) -> None:
    answer = submit(app, form_tracker(CONFIRMED_REQUEST, intent="affirm"), unreachable_client)

    assert answer.text == SystemUnavailable("hrm", "").user_message  # who is asking: HRM, first
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


class FailingRequests(httpx.AsyncBaseTransport):
    """The demo backend, except that filing a material request fails as `fail` says."""

    def __init__(self, app: Any, fail: Callable[[httpx.Request], httpx.Response]) -> None:
        self._backend = httpx.ASGITransport(app=app)
        self._fail = fail

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == ERP_PATH:
            return self._fail(request)
        return await self._backend.handle_async_request(request)


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


def _status(status: int, error: str, message: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json={"error": error, "message": message})


@pytest.mark.parametrize(("fail", "expected"), [
    (_status(503, "unavailable", "维护中"), SystemUnavailable("erp", "").user_message),
    (_timeout, SystemTimeout("erp", "", write=True).user_message),
    (_status(422, "stock_out", "显示器暂时缺货,请下周再申请"), "显示器暂时缺货,请下周再申请"),
    (_status(400, "invalid", "item 不能超过50个字符"), BadRequest("erp", "").user_message),
    (_status(401, "bad_token", "token"),
     NotAuthorized("erp", "", status=401, code=None, message=None).user_message),
    (_status(403, "forbidden", "您不能代他人申请"), "您不能代他人申请"),
], ids=["unavailable", "timeout", "refused", "bad-request", "bad-token", "forbidden"])
def test_every_kind_of_erp_failure_is_answered_with_the_connectors_message(
    app: Any, fail: Callable[[httpx.Request], httpx.Response], expected: str
) -> None:
    def failing() -> HRSystemsClient:
        return HRSystemsClient(demo_config(), transport=FailingRequests(app, fail), retry_delay=0)

    answer = submit(app, form_tracker(CONFIRMED_REQUEST, intent="affirm"), failing)

    assert answer.text == expected
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None
