"""The REST channel: webhook bodies in, Rasa's response list out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hrbot.channels.rest import (
    MAX_MESSAGE_CHARS,
    ChannelPayloadError,
    parse_rest_payload,
    rest_messages,
    split_text,
)
from hrbot.dialogue.messages import BotMessage, UserMessage


def test_channel_rest_reads_sender_message_and_metadata() -> None:
    message = parse_rest_payload(
        {"sender": "E001", "message": "我还有几天年假", "metadata": {"dept": "研发"}, "message_id": "m-1"}
    )

    assert message == UserMessage(text="我还有几天年假", sender_id="E001", input_channel="rest",
                                  metadata={"dept": "研发"}, message_id="m-1")


def test_channel_rest_fills_in_rasas_defaults() -> None:
    message = parse_rest_payload({"message": "hi", "metadata": None})

    assert (message.sender_id, message.input_channel, message.metadata, message.message_id) == (
        "default", "rest", {}, None)


def test_channel_rest_accepts_an_integer_sender_and_an_input_channel_as_rasa() -> None:
    message = parse_rest_payload({"sender": 42, "message": "hi", "input_channel": "webchat"})

    assert (message.sender_id, message.input_channel) == ("42", "webchat")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"sender": "a"}, "message", "is required"),
        ({"message": None}, "message", "is required"),
        ({"message": 5}, "message", "must be a string, got int"),
        ({"message": ["hi"]}, "message", "must be a string, got list"),
        ({"message": "hi", "sender": True}, "sender", "must be a string, got bool"),
        ({"message": "hi", "sender": {"id": 1}}, "sender", "must be a string, got dict"),
        ({"message": "hi", "sender": "  "}, "sender", "must not be empty"),
        ({"message": "hi", "sender": "x" * 256}, "sender", "at most 255"),
        ({"message": "hi", "sender": "a\nb"}, "sender", "control characters"),
        ({"message": "hi", "metadata": "vip"}, "metadata", "must be an object, got str"),
        ({"message": "hi", "metadata": [1]}, "metadata", "must be an object, got list"),
        ({"message": "hi", "message_id": 1.5}, "message_id", "must be a string, got float"),
        ({"message": "hi", "input_channel": ""}, "input_channel", "must not be empty"),
    ],
)
def test_channel_rest_names_the_bad_field(body: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ChannelPayloadError) as caught:
        parse_rest_payload(body)

    assert caught.value.field == field
    assert str(caught.value).startswith(f"'{field}': ")
    assert words in str(caught.value)


@pytest.mark.parametrize("body", [None, "hi", ["message"], 3, b"{}"])
def test_channel_rest_a_body_that_is_not_an_object_is_refused(body: Any) -> None:
    with pytest.raises(ChannelPayloadError, match="must be a JSON object") as caught:
        parse_rest_payload(body)

    assert caught.value.field is None


def test_channel_rest_too_long_a_message_is_refused_with_the_limit() -> None:
    parse_rest_payload({"message": "假" * MAX_MESSAGE_CHARS})

    with pytest.raises(ChannelPayloadError, match=f"at most {MAX_MESSAGE_CHARS} are allowed"):
        parse_rest_payload({"message": "假" * (MAX_MESSAGE_CHARS + 1)})


def test_channel_rest_strips_control_characters_but_keeps_line_breaks() -> None:
    hostile = "\ufeff请\x00假\x1b[31m\r\n三天\x7f\x85\td\ud800ays\uffff"

    message = parse_rest_payload({"message": hostile})

    assert message.text == "请假[31m\n三天\tdays"
    message.text.encode("utf-8")  # no lone surrogate left


def test_channel_rest_never_crashes_on_strange_json() -> None:
    bodies: list[Any] = [
        {"message": "", "sender": 0},
        {"message": "\x00" * 100, "metadata": {"a": {"b": [None] * 3}}},
        {"message": "😀👍🏽‍", "sender": "用户-1", "extra": object()},
        json.loads('{"message": "\\ud83d", "sender": "s"}'),
    ]

    texts = [parse_rest_payload(body).text for body in bodies]

    assert texts == ["", "", "😀👍🏽‍", ""]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("你好", ["你好"]),
        ("  第一段\n\n第二段\n  ", ["第一段", "第二段"]),
        ("one\ntwo", ["one\ntwo"]),
        ("a\n\n\nb", ["a", "\nb"]),
        ("a\n\n\n\nb", ["a", "", "b"]),
    ],
)
def test_channel_rest_split_text_as_rasa(text: str, parts: list[str]) -> None:
    assert split_text(text) == parts


def test_channel_rest_messages_as_rasas_collecting_channel() -> None:
    button = {"title": "请假", "payload": "/request_leave"}
    bot_messages = [
        BotMessage(text="你好！\n\n我是 HR 助手"),
        BotMessage(text="要做什么？", data={"buttons": [button]}),
        BotMessage(text="看图", data={"image": "https://x/a.png", "attachment": "https://x/a.png"}),
        BotMessage(data={"custom": {"card": "payslip"}, "attachment": {"type": "file", "url": "u"}}),
        BotMessage(text="选一个", data={"quick_replies": [button], "buttons": [{"title": "x"}]}),
        BotMessage(data={"elements": [{"title": "年假", "subtitle": "5 天", "buttons": [button]}]}),
        BotMessage(text="", data={}),
    ]

    out = rest_messages("E001", bot_messages)

    assert out == [
        {"recipient_id": "E001", "text": "你好！"},
        {"recipient_id": "E001", "text": "我是 HR 助手"},
        {"recipient_id": "E001", "text": "要做什么？", "buttons": [button]},
        {"recipient_id": "E001", "text": "看图"},
        {"recipient_id": "E001", "image": "https://x/a.png"},
        {"recipient_id": "E001", "custom": {"card": "payslip"}},
        {"recipient_id": "E001", "attachment": {"type": "file", "url": "u"}},
        {"recipient_id": "E001", "text": "选一个", "buttons": [button]},
        {"recipient_id": "E001", "text": "年假 : 5 天", "buttons": [button]},
    ]


def test_channel_rest_text_with_buttons_is_not_split() -> None:
    out = rest_messages("u", [BotMessage(text="a\n\nb", data={"buttons": [{"title": "t", "payload": "/p"}]})])

    assert out == [{"recipient_id": "u", "text": "a\n\nb", "buttons": [{"title": "t", "payload": "/p"}]}]
