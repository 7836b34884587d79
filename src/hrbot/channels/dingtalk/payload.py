"""A robot message as DingTalk delivers it — the JSON body of an HTTP-mode callback and the
`data` of a stream-mode frame are the same object (the SDK's `ChatbotMessage.to_dict()`):

    {"msgId": "msgXXXX", "msgtype": "text", "text": {"content": "我还有几天年假"},
     "conversationType": "1",                   # "1" one-to-one, "2" group
     "conversationId": "cidXXXX==", "conversationTitle": "研发部",   # title only in groups
     "senderStaffId": "manager4521", "senderNick": "张三", "senderId": "$:LWCP_v1:$...",
     "isInAtList": true,                        # groups: the robot was @-mentioned
     "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=...",
     "sessionWebhookExpiredTime": 1613635652738, "createAt": 1613630252678,
     "robotCode": "dingXXXX", "chatbotCorpId": "dingXXXX", "atUsers": [...]}

The employee is `senderStaffId` (the organisation's user id, which HRM maps to an employee);
never `senderId`, which is per-robot and encrypted. Every field is type-checked and a bad one
is named (`ChannelPayloadError`); the text is cleaned as the REST channel cleans it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hrbot.channels.rest import ChannelPayloadError, clean_text
from hrbot.dialogue.messages import UserMessage

INPUT_CHANNEL = "dingtalk"
ONE_TO_ONE = "1"
GROUP = "2"
TEXT_TYPES = frozenset({"text", "richText"})
MAX_ID_CHARS = 255  # the tracker store's sender_id and message id columns
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class IncomingMessage:
    """One robot message. `text` is empty for messages without text (pictures, files, ...).
    `session_webhook` is a capability (anyone holding it may post into the conversation), so
    it is kept out of `repr`, logs and the tracker."""

    msg_id: str
    msgtype: str
    text: str
    conversation_type: str
    conversation_id: str | None = None
    conversation_title: str | None = None
    sender_staff_id: str | None = None
    sender_nick: str | None = None
    is_in_at_list: bool = False
    session_webhook: str | None = field(default=None, repr=False)
    session_webhook_expires_ms: int | None = None
    robot_code: str | None = None
    create_at_ms: int | None = None

    @property
    def is_group(self) -> bool:
        return self.conversation_type == GROUP

    @property
    def has_text_type(self) -> bool:
        return self.msgtype in TEXT_TYPES


def _describe(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _identifier(body: Mapping[str, Any], key: str, *, required: bool) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise ChannelPayloadError(key, "is required: is this a DingTalk robot message?")
        return None
    if not isinstance(value, str):
        raise ChannelPayloadError(key, f"must be a string, got {_describe(value)}")
    if len(value) > MAX_ID_CHARS:
        raise ChannelPayloadError(key, f"is {len(value)} characters long; at most {MAX_ID_CHARS} are allowed")
    if _CONTROL.search(value):
        raise ChannelPayloadError(key, "must not contain control characters")
    return value


def _optional_text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ChannelPayloadError(key, f"must be a string, got {_describe(value)}")
    return clean_text(value)[:MAX_ID_CHARS]


def _milliseconds(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)  # the SDK turns it into an int; older payloads send digits
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ChannelPayloadError(key, f"must be a time in milliseconds, got {_describe(value)}")
    return value


def _flag(body: Mapping[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ChannelPayloadError(key, f"must be true or false, got {_describe(value)}")
    return value


def _text_of(body: Mapping[str, Any], msgtype: str) -> str:
    """The words of a text or rich-text message; '' for other message types."""
    if msgtype == "text":
        text = body.get("text")
        if not isinstance(text, Mapping) or not isinstance(text.get("content"), str):
            raise ChannelPayloadError("text", 'a text message needs "text": {"content": "..."}')
        return clean_text(text["content"]).strip()
    if msgtype == "richText":
        content = body.get("content")
        parts = content.get("richText") if isinstance(content, Mapping) else None
        if not isinstance(parts, list):
            raise ChannelPayloadError("content", 'a rich-text message needs "content": {"richText": [...]}')
        words = [part["text"] for part in parts
                 if isinstance(part, Mapping) and isinstance(part.get("text"), str)]
        return clean_text("".join(words)).strip()
    return ""


def parse_callback(body: Any) -> IncomingMessage:
    """The robot message of a callback body (already parsed JSON); ChannelPayloadError naming
    the first bad field otherwise."""
    if not isinstance(body, Mapping):
        raise ChannelPayloadError(
            None, f"the body must be a JSON object (a robot message), got {_describe(body)}"
        )
    msg_id = _identifier(body, "msgId", required=True)
    msgtype = _identifier(body, "msgtype", required=True)
    conversation_type = body.get("conversationType")
    if conversation_type not in (ONE_TO_ONE, GROUP):
        raise ChannelPayloadError("conversationType", f'must be "1" (one-to-one) or "2" (group), got '
                                  f"{conversation_type!r}"[:200])
    webhook = body.get("sessionWebhook")
    if webhook is not None and not isinstance(webhook, str):
        raise ChannelPayloadError("sessionWebhook", f"must be a string, got {_describe(webhook)}")
    assert msg_id is not None and msgtype is not None
    return IncomingMessage(
        msg_id=msg_id,
        msgtype=msgtype,
        text=_text_of(body, msgtype),
        conversation_type=conversation_type,
        conversation_id=_identifier(body, "conversationId", required=False),
        conversation_title=_optional_text(body, "conversationTitle"),
        sender_staff_id=_identifier(body, "senderStaffId", required=False),
        sender_nick=_optional_text(body, "senderNick"),
        is_in_at_list=_flag(body, "isInAtList"),
        session_webhook=webhook or None,
        session_webhook_expires_ms=_milliseconds(body, "sessionWebhookExpiredTime"),
        robot_code=_identifier(body, "robotCode", required=False),
        create_at_ms=_milliseconds(body, "createAt"),
    )


def to_user_message(message: IncomingMessage) -> UserMessage:
    """The dialogue engine's message for a one-to-one DingTalk message from an organisation
    member. The metadata keeps DingTalk's names for what actions may want to know, but not the
    session webhook (a capability that must not end up in the tracker store)."""
    if message.sender_staff_id is None:
        raise ValueError(f"message {message.msg_id} has no senderStaffId: it is not from a member "
                         "of the organisation, so there is no employee to act for")
    metadata: dict[str, Any] = {
        "conversationType": message.conversation_type,
        "conversationId": message.conversation_id,
        "msgId": message.msg_id,
        "isInAtList": message.is_in_at_list,
        "sessionWebhookExpiredTime": message.session_webhook_expires_ms,
        "senderNick": message.sender_nick,
        "robotCode": message.robot_code,
        "createAt": message.create_at_ms,
    }
    return UserMessage(
        text=message.text,
        sender_id=message.sender_staff_id,
        input_channel=INPUT_CHANNEL,
        metadata={key: value for key, value in metadata.items() if value is not None},
        message_id=message.msg_id,
    )
