"""Rasa's REST channel without the web framework: read the webhook's JSON body into a
`UserMessage`, and turn the bot's messages into the JSON list the webhook answers with.

    POST /webhooks/rest/webhook  {"sender": "alice", "message": "我还有几天年假", "metadata": {...}}
    -> [{"recipient_id": "alice", "text": "..."}, {"recipient_id": "alice", "image": "..."}]

Input is never trusted: every field is type-checked (`ChannelPayloadError` names the field),
the text is limited to `MAX_MESSAGE_CHARS` characters, and control characters, lone surrogates
and byte order marks are removed from it (line breaks and tabs are kept).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.shared.errors import HrbotError

DEFAULT_SENDER_ID = "default"  # Rasa's sender when the body has none
REST_CHANNEL_NAME = "rest"
MAX_MESSAGE_CHARS = 5000
MAX_SENDER_ID_CHARS = 255  # the width of the tracker store's sender_id column
MAX_MESSAGE_ID_CHARS = 255
MAX_CHANNEL_NAME_CHARS = 64

# C0 controls except tab and line feed, DEL, C1 controls, lone surrogates, BOM and the two
# non-characters U+FFFE/U+FFFF. Carriage returns are turned into line feeds first.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


class ChannelPayloadError(HrbotError, ValueError):
    """A channel's request body is not what the channel accepts; `field` names the culprit
    (None for the body itself)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(f"'{field}': {message}" if field else message)
        self.field = field


def clean_text(text: str) -> str:
    """`text` with line breaks normalised to '\\n' and unsafe characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_CHARS.sub("", text)


def _describe(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _identifier(body: Mapping[str, Any], key: str, *, default: str | None, limit: int) -> str | None:
    """A sender id, message id or channel name: a non-empty string (or an integer, which Rasa
    also accepts for the sender) without control characters, at most `limit` characters."""
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ChannelPayloadError(key, f"must be a string, got {_describe(value)}")
    if not value.strip():
        raise ChannelPayloadError(key, "must not be empty")
    if len(value) > limit:
        raise ChannelPayloadError(key, f"is {len(value)} characters long; at most {limit} are allowed")
    if _CONTROL_CHARS.search(value):
        raise ChannelPayloadError(key, "must not contain control characters")
    return value


def parse_rest_payload(body: Any, *, channel: str = REST_CHANNEL_NAME) -> UserMessage:
    """The user message of a REST webhook body (already parsed JSON).

    Fields: `message` (required string), `sender` (string or integer; "default" when left out,
    as in Rasa), `metadata` (object or null), `message_id` (string, optional) and
    `input_channel` (string, optional; `channel` otherwise, as Rasa's RestInput).
    Raises ChannelPayloadError naming the first bad field.
    """
    if not isinstance(body, Mapping):
        raise ChannelPayloadError(
            None, f"the body must be a JSON object with 'sender' and 'message', got {_describe(body)}"
        )
    if "message" not in body or body["message"] is None:
        raise ChannelPayloadError("message", "is required: send the user's text as 'message'")
    text = body["message"]
    if not isinstance(text, str):
        raise ChannelPayloadError("message", f"must be a string, got {_describe(text)}")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ChannelPayloadError(
            "message", f"is {len(text)} characters long; at most {MAX_MESSAGE_CHARS} are allowed"
        )
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, Mapping):
        raise ChannelPayloadError("metadata", f"must be an object, got {_describe(metadata)}")
    sender = _identifier(body, "sender", default=DEFAULT_SENDER_ID, limit=MAX_SENDER_ID_CHARS)
    message_id = _identifier(body, "message_id", default=None, limit=MAX_MESSAGE_ID_CHARS)
    input_channel = _identifier(body, "input_channel", default=channel, limit=MAX_CHANNEL_NAME_CHARS)
    return UserMessage(
        text=clean_text(text),
        sender_id=sender or DEFAULT_SENDER_ID,
        input_channel=input_channel or channel,
        metadata=dict(metadata),
        message_id=message_id,
    )


def split_text(text: str) -> list[str]:
    """The parts a bot text is sent as, exactly as Rasa's CollectingOutputChannel splits it:
    `text.strip().split("\\n\\n")` (so three line breaks leave one at the start of a part)."""
    return text.strip().split("\n\n")


def _message(recipient_id: str, **parts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"recipient_id": recipient_id}
    out.update({key: value for key, value in parts.items() if value is not None})
    return out


def _response(recipient_id: str, message: BotMessage) -> list[dict[str, Any]]:
    """One bot message as Rasa's `OutputChannel.send_response` sends it to a collecting channel."""
    data = dict(message.data)
    text = message.text
    out: list[dict[str, Any]] = []
    quick_replies = data.get("quick_replies")
    buttons = data.get("buttons")
    if quick_replies:
        out.append(_message(recipient_id, text=text, buttons=quick_replies))
    elif buttons:
        out.append(_message(recipient_id, text=text, buttons=buttons))
    elif text:
        out.extend(_message(recipient_id, text=part) for part in split_text(text))
    if data.get("custom"):
        out.append(_message(recipient_id, custom=data["custom"]))
    image = data.get("image")
    if image:
        out.append(_message(recipient_id, image=image))
    attachment = data.get("attachment")
    if attachment and attachment != image:  # Rasa once copied the image into `attachment`
        out.append(_message(recipient_id, attachment=attachment))
    elements = data.get("elements")
    if elements and isinstance(elements, list):
        for element in elements:
            element = element if isinstance(element, Mapping) else {}
            summary = f"{element.get('title', '')} : {element.get('subtitle', '')}"
            out.append(_message(recipient_id, text=summary, buttons=element.get("buttons", [])))
    return out


def rest_messages(recipient_id: str, bot_messages: list[BotMessage]) -> list[dict[str, Any]]:
    """The REST webhook's answer: each bot message as Rasa sends it (`recipient_id` plus `text`,
    `buttons`, `image`, `custom` or `attachment`; plain text split on blank lines; elements
    as text with buttons), in order."""
    return [item for message in bot_messages for item in _response(recipient_id, message)]
