"""Robot messages in: DingTalk's JSON (as the SDK writes it too) into IncomingMessage and the
dialogue engine's UserMessage; every bad field named."""

from __future__ import annotations

from typing import Any

import pytest
from dingtalk_stream import ChatbotMessage
from dingtalk_support import NOW_MS, ROBOT_CODE, robot_message

from hrbot.channels.dingtalk.payload import IncomingMessage, parse_callback, to_user_message
from hrbot.channels.rest import ChannelPayloadError


def test_dingtalk_payload_of_a_one_to_one_text_message() -> None:
    message = parse_callback(robot_message(" 我还有几天年假\r\n"))

    assert message == IncomingMessage(
        msg_id="msg-1", msgtype="text", text="我还有几天年假", conversation_type="1",
        conversation_id="cidPrivate7==", conversation_title=None, sender_staff_id="manager4521",
        sender_nick="张三", is_in_at_list=False,
        session_webhook="https://oapi.dingtalk.com/robot/sendBySession?session=s1",
        session_webhook_expires_ms=NOW_MS + 90 * 60_000, robot_code=ROBOT_CODE, create_at_ms=NOW_MS - 1000,
    )
    assert not message.is_group
    assert "session=" not in repr(message)  # the webhook is a capability: not in logs


def test_dingtalk_payload_reads_what_the_sdk_writes() -> None:
    body = robot_message("查工资", group=True, at_robot=True)
    through_sdk = ChatbotMessage.from_dict(body).to_dict()

    assert parse_callback(through_sdk) == parse_callback(body)
    assert parse_callback(through_sdk).is_group and parse_callback(through_sdk).is_in_at_list


def test_dingtalk_payload_joins_the_words_of_a_rich_text_message() -> None:
    parts = [{"text": "上个月"}, {"downloadCode": "img"}, {"text": "工资多少"}]
    body = robot_message(None, msgtype="richText", content={"richText": parts})

    message = parse_callback(body)

    assert (message.msgtype, message.text, message.has_text_type) == ("richText", "上个月工资多少", True)


def test_dingtalk_payload_of_a_picture_has_no_text() -> None:
    message = parse_callback(robot_message(None, msgtype="picture"))

    assert (message.msgtype, message.text, message.has_text_type) == ("picture", "", False)


def test_dingtalk_payload_takes_digits_for_times_as_older_payloads_send_them() -> None:
    message = parse_callback(robot_message(sessionWebhookExpiredTime=str(NOW_MS)))

    assert message.session_webhook_expires_ms == NOW_MS


@pytest.mark.parametrize(("change", "field", "problem"), [
    ({"msgId": None}, "msgId", "is required"),
    ({"msgId": 42}, "msgId", "must be a string, got int"),
    ({"msgId": "m\n1"}, "msgId", "control characters"),
    ({"msgId": "m" * 300}, "msgId", "at most 255"),
    ({"msgtype": None}, "msgtype", "is required"),
    ({"conversationType": "3"}, "conversationType", 'must be "1" (one-to-one) or "2" (group)'),
    ({"conversationType": 1}, "conversationType", 'must be "1"'),
    ({"text": "你好"}, "text", 'needs "text": {"content": "..."}'),
    ({"text": {"content": None}}, "text", 'needs "text"'),
    ({"senderStaffId": ["E1"]}, "senderStaffId", "must be a string, got list"),
    ({"isInAtList": "yes"}, "isInAtList", "must be true or false, got str"),
    ({"sessionWebhook": 7}, "sessionWebhook", "must be a string, got int"),
    ({"sessionWebhookExpiredTime": "soon"}, "sessionWebhookExpiredTime", "a time in milliseconds"),
    ({"createAt": -5}, "createAt", "a time in milliseconds"),
])
def test_dingtalk_payload_names_the_bad_field(change: dict[str, Any], field: str, problem: str) -> None:
    body = {**robot_message(), **change}

    with pytest.raises(ChannelPayloadError) as caught:
        parse_callback({key: value for key, value in body.items() if value is not None})

    assert caught.value.field == field
    assert problem in str(caught.value)


@pytest.mark.parametrize("body", [[], "text", None, 5])
def test_dingtalk_payload_that_is_not_an_object_is_refused(body: Any) -> None:
    with pytest.raises(ChannelPayloadError, match="must be a JSON object"):
        parse_callback(body)


def test_dingtalk_payload_becomes_a_user_message_of_the_staff_member_without_the_webhook() -> None:
    message = to_user_message(parse_callback(robot_message("请3天年假", msg_id="msgA")))

    assert (message.text, message.sender_id, message.input_channel, message.message_id) == (
        "请3天年假", "manager4521", "dingtalk", "msgA")
    assert message.metadata == {
        "conversationType": "1", "conversationId": "cidPrivate7==", "msgId": "msgA", "isInAtList": False,
        "sessionWebhookExpiredTime": NOW_MS + 90 * 60_000, "senderNick": "张三", "robotCode": ROBOT_CODE,
        "createAt": NOW_MS - 1000,
    }


def test_dingtalk_payload_without_a_staff_id_is_no_employees_message() -> None:
    with pytest.raises(ValueError, match="no senderStaffId"):
        to_user_message(parse_callback(robot_message(staff_id=None)))
