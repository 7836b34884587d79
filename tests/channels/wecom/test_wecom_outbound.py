"""The bot's messages as WeCom app messages, and clicked button keys back to payloads."""

from __future__ import annotations

import itertools
from typing import Any

from hrbot.channels.wecom.outbound import (
    MAX_KEY_BYTES,
    button_keys,
    offered_payloads,
    resolve_key,
    split_utf8,
    wecom_bodies,
)
from hrbot.dialogue.messages import BotMessage

GREETING_BUTTONS = [{"title": "查年假", "payload": "/leave_balance"},
                    {"title": "查工资", "payload": "/salary_query"}]


def bodies(text: str | None = None, markdown: bool = True, **data: Any) -> list[dict[str, Any]]:
    counter = itertools.count(1)
    return wecom_bodies(BotMessage(text, data), markdown=markdown, task_ids=lambda: f"task-{next(counter)}")


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["msgtype"] == "template_card"
    card: dict[str, Any] = body["template_card"]
    assert card["card_type"] == "button_interaction"
    return card


def test_a_plain_text_is_one_text_message() -> None:
    assert bodies("10月实发 12,345.67 元。") == [
        {"msgtype": "text", "text": {"content": "10月实发 12,345.67 元。"}}]


def test_a_text_with_markup_wecom_renders_goes_as_markdown_unless_markdown_is_off() -> None:
    text = "**年假** 还剩 5 天\n详见[员工手册](https://hr.example.com/handbook)"

    assert bodies(text) == [{"msgtype": "markdown", "markdown": {"content": text}}]
    assert bodies(text, markdown=False)[0]["msgtype"] == "text"


def test_lists_and_tables_which_wecom_markdown_does_not_render_stay_text() -> None:
    text = "请确认:\n· 类型:年假\n- 天数:2天\n| 项目 | 金额 |\n|---|---|\n| 打车 | 85 |"

    assert bodies(text)[0]["msgtype"] == "text"


def test_a_text_longer_than_wecom_takes_is_split_at_line_breaks_into_parts_within_2048_bytes() -> None:
    lines = [f"第{number}条:年假余额按入职年限计算,满一年五天,满十年十天。" for number in range(120)]
    text = "\n".join(lines)

    parts = [body["text"]["content"] for body in bodies(text)]

    assert len(parts) > 1
    assert all(len(part.encode()) <= 2048 for part in parts)
    assert "\n".join(parts) == text


def test_a_single_line_longer_than_the_limit_is_cut_between_characters() -> None:
    text = "年" * 1500  # 4500 bytes, no line break

    parts = split_utf8(text)

    assert "".join(parts) == text and all(len(part.encode()) <= 2048 for part in parts)


def test_a_question_with_buttons_is_one_card_titled_by_its_first_line_with_a_button_per_choice() -> None:
    [body] = bodies("您好,我是HR助手。\n想查什么?", buttons=GREETING_BUTTONS)
    card = card_of(body)

    assert card["main_title"] == {"title": "您好,我是HR助手。"}
    assert card["sub_title_text"] == "想查什么?"
    assert card["task_id"] == "task-1"
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        ("查年假", "/leave_balance"), ("查工资", "/salary_query")]


def test_quick_replies_are_buttons_too() -> None:
    [body] = bodies("请半天的话,是上午还是下午?", quick_replies=[
        {"title": "上午", "payload": "上午"}, {"title": "下午", "payload": "下午"}])

    assert [b["key"] for b in card_of(body)["button_list"]] == ["上午", "下午"]


def test_a_text_too_long_for_a_card_goes_first_and_the_card_only_asks_to_choose() -> None:
    text = "请确认要撤销的请假(编号LR-2026-0012):\n" + "\n".join(
        f"· 第{n}项说明,内容比较长一些" for n in range(8))

    text_body, card_body = bodies(text, buttons=[{"title": "确认", "payload": "/affirm"}])

    assert text_body == {"msgtype": "text", "text": {"content": text}}
    assert card_of(card_body)["main_title"] == {"title": "请选择"}
    assert "sub_title_text" not in card_of(card_body)


def test_more_than_six_choices_are_spread_over_cards_of_at_most_six_with_distinct_task_ids() -> None:
    buttons = [{"title": f"选项{n}", "payload": f"/inform{{\"n\": {n}}}"} for n in range(8)]

    cards = [card_of(body) for body in bodies("选哪个?", buttons=buttons)]

    assert [len(card["button_list"]) for card in cards] == [6, 2]
    assert [card["task_id"] for card in cards] == ["task-1", "task-2"]
    assert [b["key"] for card in cards for b in card["button_list"]] == [b["payload"] for b in buttons]
    assert cards[1]["main_title"] == {"title": "更多选项"}


def test_titles_too_long_for_a_button_are_listed_in_full_and_the_buttons_numbered() -> None:
    buttons = [{"title": "年假 11月24日(周一)至11月25日 2天", "payload": "/inform{\"id\": \"L1\"}"},
               {"title": "病假 12月1日(周二) 1天", "payload": "/inform{\"id\": \"L2\"}"}]

    [body] = bodies("您要撤销哪一条请假?", buttons=buttons)
    card = card_of(body)

    assert card["main_title"] == {"title": "您要撤销哪一条请假?"}
    assert card["sub_title_text"] == "1. 年假 11月24日(周一)至11月25日 2天\n2. 病假 12月1日(周二) 1天"
    labels = [b["text"] for b in card["button_list"]]
    assert all(len(label) <= 10 for label in labels)
    assert labels[0].startswith("1. 年假") and labels[1].startswith("2. 病假")


def test_payloads_that_are_too_long_or_repeated_get_short_distinct_keys_that_resolve_back() -> None:
    long_payload = "/inform" + '{"reason": "' + "家里有事" * 200 + '"}'
    payloads = ["/affirm", long_payload, "/affirm", "hrbot-key:looks-like-ours"]

    keys = button_keys(payloads)

    assert keys[0] == "/affirm"
    assert len(set(keys)) == 4 and all(len(key.encode()) <= MAX_KEY_BYTES for key in keys)
    assert [resolve_key(key, payloads) for key in keys] == payloads


def test_a_mapped_key_the_conversation_was_never_offered_resolves_to_nothing() -> None:
    key = button_keys(["/inform" + "x" * 2000])[0]

    assert resolve_key(key, ["/affirm", "/deny"]) is None
    assert resolve_key("/affirm", []) == "/affirm"  # a plain key is its own payload


def test_offered_payloads_are_collected_from_buttons_quick_replies_and_elements() -> None:
    messages = [BotMessage("a", {"buttons": GREETING_BUTTONS}),
                BotMessage("b", {"quick_replies": [{"title": "上午", "payload": "上午"}]}),
                BotMessage(None, {"elements": [
                    {"title": "t", "buttons": [{"title": "x", "payload": "/x"}]}]})]

    assert offered_payloads(messages) == ["/leave_balance", "/salary_query", "上午", "/x"]


def test_malformed_buttons_are_left_out_and_the_rest_still_offered() -> None:
    [body] = bodies("选?", buttons=[{"title": "好"}, "nonsense", {"title": "不", "payload": "/deny"}])

    assert [b["key"] for b in card_of(body)["button_list"]] == ["/deny"]


def test_images_attachments_and_wecom_custom_bodies_are_sent_after_the_text() -> None:
    custom = {"wecom": {"msgtype": "textcard", "textcard": {"title": "审批", "description": "d", "url": "https://x"}}}

    sent = bodies("看这里", image="https://hr.example.com/a.png", attachment="https://hr.example.com/f.pdf",
                  custom=custom)

    assert [body["msgtype"] for body in sent] == ["text", "textcard", "news", "text"]
    assert sent[2]["news"]["articles"][0]["picurl"] == "https://hr.example.com/a.png"
    assert sent[3]["text"]["content"] == "附件:https://hr.example.com/f.pdf"


def test_a_custom_payload_without_a_wecom_body_sends_nothing_for_it() -> None:
    assert bodies(None, custom={"dingtalk": {"msgtype": "text"}}) == []
