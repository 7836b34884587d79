"""The bot's messages out: DingTalk text, markdown and action cards for the session webhook,
and the same messages as msgKey/msgParam for the one-to-one API; buttons send their payload."""

from __future__ import annotations

import pytest
from dingtalk_support import SEND_MESSAGE, clicked

from hrbot.channels.dingtalk.replies import (
    Button,
    Reply,
    one_to_one_message,
    replies_for,
    send_message_url,
    webhook_body,
)
from hrbot.dialogue.messages import BotMessage

CONFIRM = [{"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"}]


def test_dingtalk_replies_send_plain_text_as_text_in_one_message() -> None:
    text = "您的年假还剩 5 天。\n\n调休还剩 1 天。"

    replies = replies_for([BotMessage(text)])

    assert replies == [Reply("text", text)]
    assert webhook_body(replies[0]) == {"msgtype": "text", "text": {"content": text}}
    assert one_to_one_message(replies[0]) == ("sampleText", {"content": text})


def test_dingtalk_replies_turn_choices_into_an_action_card_whose_buttons_send_the_payload() -> None:
    [card] = replies_for([BotMessage("请确认：\n年假 3 天\n11月24日至26日", {"buttons": CONFIRM})])

    body = webhook_body(card)

    assert body["msgtype"] == "actionCard"
    assert body["actionCard"]["title"] == "请确认："
    assert body["actionCard"]["text"] == "请确认：\n\n年假 3 天\n\n11月24日至26日"  # breaks kept in markdown
    assert [b["title"] for b in body["actionCard"]["btns"]] == ["确认提交", "取消"]
    assert [clicked(b["actionURL"]) for b in body["actionCard"]["btns"]] == ["/affirm", "/deny"]


def test_dingtalk_replies_encode_a_payload_with_entities_so_a_click_sends_it_unchanged() -> None:
    payload = '/inform{"leave_type": "年假", "days": 3}&x=1#y'

    url = send_message_url(payload)

    assert url.startswith(SEND_MESSAGE) and " " not in url and "&" not in url and "#" not in url
    assert clicked(url) == payload


def test_dingtalk_replies_open_a_web_address_button_instead_of_sending_it() -> None:
    [card] = replies_for([BotMessage("员工手册", {"buttons": [{"title": "打开", "payload": "https://hr.example.com/h"}]})])

    assert card.buttons == (Button("打开", "https://hr.example.com/h"),)


def test_dingtalk_replies_use_the_one_to_one_card_template_for_the_number_of_buttons() -> None:
    def card(count: int) -> Reply:
        buttons = [{"title": f"选项{n}", "payload": f"/choose{{\"n\": {n}}}"} for n in range(1, count + 1)]
        return replies_for([BotMessage("请选择", {"buttons": buttons})])[0]

    key, param = one_to_one_message(card(1))
    assert key == "sampleActionCard"
    assert (param["singleTitle"], clicked(param["singleURL"])) == ("选项1", '/choose{"n": 1}')

    key, param = one_to_one_message(card(3))
    assert key == "sampleActionCard3"
    assert [param[f"actionTitle{n}"] for n in (1, 2, 3)] == ["选项1", "选项2", "选项3"]
    assert clicked(param["actionURL3"]) == '/choose{"n": 3}'
    assert (param["title"], param["text"]) == ("请选择", "请选择")


def test_dingtalk_replies_put_more_choices_than_a_card_takes_as_links_in_markdown() -> None:
    buttons = [{"title": f"第{n}周", "payload": f"/week{n}"} for n in range(1, 8)]
    [card] = replies_for([BotMessage("哪一周？", {"buttons": buttons})])

    key, param = one_to_one_message(card)

    assert key == "sampleMarkdown"
    assert param["text"].startswith("哪一周？")
    assert param["text"].count(SEND_MESSAGE) == 7
    assert f"[第7周]({send_message_url('/week7')})" in param["text"]
    assert len(webhook_body(card)["actionCard"]["btns"]) == 7  # the webhook's card takes them all


def test_dingtalk_replies_shorten_long_button_titles_to_dingtalks_limit() -> None:
    [card] = replies_for([BotMessage("?", {"buttons": [{"title": "一" * 30, "payload": "/a"}]})])

    assert card.buttons[0].title == "一" * 19 + "…"


def test_dingtalk_replies_send_images_and_attachments_as_markdown() -> None:
    replies = replies_for([BotMessage("这是您的工资条", {"image": "https://hr.example.com/p.png",
                                                          "attachment": "https://hr.example.com/p.pdf"})])

    assert [r.kind for r in replies] == ["text", "markdown", "markdown"]
    assert webhook_body(replies[1])["markdown"] == {"title": "[图片]", "text": "![图片](https://hr.example.com/p.png)"}
    assert one_to_one_message(replies[2]) == ("sampleMarkdown", {"title": "[附件]",
                                                                 "text": "[查看附件](https://hr.example.com/p.pdf)"})


def test_dingtalk_replies_pass_a_custom_dingtalk_message_through() -> None:
    custom = {"msgtype": "markdown", "markdown": {"title": "考勤", "text": "### 11月考勤\n- 迟到 0 次"}}

    [reply] = replies_for([BotMessage(None, {"custom": custom})])

    assert webhook_body(reply) == custom


def test_dingtalk_replies_leave_out_a_custom_message_dingtalk_cannot_show_and_say_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert replies_for([BotMessage(None, {"custom": {"blocks": [1, 2]}})]) == []
    assert "give it \"msgtype\" text, markdown or actionCard" in caplog.text


def test_dingtalk_replies_mention_the_person_a_group_answer_is_for() -> None:
    body = webhook_body(Reply("text", "请在单聊中继续"), at_user="manager4521")

    assert body["at"] == {"atUserIds": ["manager4521"], "isAtAll": False}


def test_dingtalk_replies_keep_the_order_of_the_turns_messages() -> None:
    turn = [BotMessage("第一条"), BotMessage("第二条", {"buttons": CONFIRM}), BotMessage("第三条")]

    replies = replies_for(turn)

    assert [(r.kind, r.text) for r in replies] == [
        ("text", "第一条"), ("actionCard", "第二条"), ("text", "第三条")]
