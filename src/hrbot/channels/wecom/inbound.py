"""What WeCom posts to the callback URL, read: the outer envelope (`Encrypt`) and, once
decrypted, the message or event inside it.

    <xml><ToUserName>ww…</ToUserName><AgentID>1000002</AgentID><Encrypt>…</Encrypt></xml>
        -> decrypt ->
    <xml><ToUserName>ww…</ToUserName><FromUserName>ChenJiaShun</FromUserName>
         <CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>
         <MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>

A button click on a template card is an event: MsgType `event`, Event `template_card_event`,
EventKey the button's key, TaskId the card's task id, ResponseCode a one-time code to update it.

The XML comes from the network, so documents with a DOCTYPE or entity declarations are refused
outright (no entity expansion at all) and every field is checked before it is used.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from hrbot.channels.wecom.errors import MalformedCallback

TEXT = "text"
EVENT = "event"
CARD_EVENT = "template_card_event"
MEDIA_TYPES = frozenset({"image", "voice", "video", "file", "location", "link"})
MAX_USER_ID_CHARS = 255  # the tracker store's sender_id column; WeCom userids are at most 64

_DECLARATIONS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _fields(document: bytes | str, what: str) -> dict[str, str]:
    """The text of each child of the `<xml>` root, by tag (CDATA or not)."""
    try:
        text = document.decode("utf-8") if isinstance(document, bytes) else document
    except UnicodeDecodeError:
        raise MalformedCallback(f"the {what} is not UTF-8 text") from None
    if _DECLARATIONS.search(text):
        raise MalformedCallback(f"the {what} declares a DOCTYPE or entities, which WeCom never sends")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise MalformedCallback(f"the {what} is not well-formed XML: {error}") from None
    if root.tag != "xml":
        raise MalformedCallback(f"the {what}'s root element is <{root.tag}>, not <xml>")
    return {child.tag: child.text or "" for child in root}


@dataclass(frozen=True)
class Envelope:
    """The outer XML of a callback POST."""

    encrypted: str
    to_user: str | None
    agent_id: str | None


def read_envelope(body: bytes) -> Envelope:
    """The envelope of a callback body; MalformedCallback naming what is wrong."""
    fields = _fields(body, "request body")
    encrypted = fields.get("Encrypt", "").strip()
    if not encrypted:
        raise MalformedCallback("the request body has no <Encrypt> element with the encrypted message")
    return Envelope(encrypted, fields.get("ToUserName"), fields.get("AgentID"))


@dataclass(frozen=True)
class InboundMessage:
    """A decrypted message or event. `from_user` is the sender's WeCom userid."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    agent_id: str | None = None
    msg_id: str | None = None
    content: str | None = None
    event: str | None = None
    event_key: str | None = None
    task_id: str | None = None
    card_type: str | None = None
    response_code: str | None = None

    @property
    def is_text(self) -> bool:
        return self.msg_type == TEXT

    @property
    def is_card_click(self) -> bool:
        return self.msg_type == EVENT and self.event == CARD_EVENT

    @property
    def is_media(self) -> bool:
        return self.msg_type in MEDIA_TYPES

    def dedup_key(self) -> str:
        """What identifies this message across WeCom's retries: the MsgId of a message; for an
        event (which has none) FromUserName + CreateTime + the event, its key and card."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        parts = "\n".join([self.from_user, str(self.create_time), self.event or "", self.event_key or "",
                           self.task_id or ""])
        return "event:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()

    def describe(self) -> str:
        """For logs: which message this is, without its content."""
        which = f"MsgId {self.msg_id}" if self.msg_id else f"{self.event or self.msg_type} event"
        return f"{which} from {self.from_user!r} (CreateTime {self.create_time})"


def read_message(plaintext: str) -> InboundMessage:
    """The message of a decrypted payload; MalformedCallback naming the missing or bad field."""
    fields = _fields(plaintext, "decrypted message")

    def text(name: str) -> str | None:
        value = fields.get(name)
        return value.strip() if value is not None and value.strip() else None

    from_user = text("FromUserName")
    if from_user is None:
        raise MalformedCallback("the decrypted message has no FromUserName (the sender's userid)")
    if len(from_user) > MAX_USER_ID_CHARS or _CONTROL_CHARS.search(from_user):
        raise MalformedCallback(
            f"FromUserName is not a WeCom userid (at most {MAX_USER_ID_CHARS} characters, "
            "no control characters)"
        )
    msg_type = text("MsgType")
    if msg_type is None:
        raise MalformedCallback("the decrypted message has no MsgType")
    create_time = text("CreateTime") or ""
    if not create_time.isdigit():
        raise MalformedCallback(f"CreateTime must be a Unix time in seconds, got {create_time!r}")
    msg_id = text("MsgId")
    if msg_id is not None and (len(msg_id) > 128 or _CONTROL_CHARS.search(msg_id)):
        raise MalformedCallback("MsgId is not a WeCom message id")
    return InboundMessage(
        to_user=text("ToUserName") or "",
        from_user=from_user,
        create_time=int(create_time),
        msg_type=msg_type,
        agent_id=text("AgentID"),
        msg_id=msg_id,
        content=fields.get("Content"),
        event=text("Event"),
        event_key=fields.get("EventKey"),
        task_id=text("TaskId"),
        card_type=text("CardType"),
        response_code=text("ResponseCode"),
    )
