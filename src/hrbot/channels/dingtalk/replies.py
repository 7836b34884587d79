"""The bot's messages in DingTalk's formats, for both ways of answering:

    session webhook  {"msgtype": "text", "text": {"content": ...}}
                     {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}
                     {"msgtype": "actionCard", "actionCard": {"title", "text", "btnOrientation",
                                                              "btns": [{"title", "actionURL"}]}}
    one-to-one API   msgKey sampleText {content} | sampleMarkdown {title, text}
                     | sampleActionCard {title, text, singleTitle, singleURL}
                     | sampleActionCard2..5 {title, text, actionTitle1, actionURL1, ...}

Plain text stays text. Text with buttons (the bot's choices) becomes an action card whose
buttons are `dtmd://dingtalkclient/sendMessage?content=<payload>` links: a click sends the
button's payload (e.g. `/affirm`) back to the robot as the user's next message, exactly what
a Rasa button does. A payload that is a web address opens that page instead. Images and
attachments become markdown. A `custom` message that is already a DingTalk message (with
`msgtype` text, markdown or actionCard) is sent as it is.

Markdown needs a blank line for a line break in DingTalk, so single line breaks of a plain
text are doubled when it becomes markdown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from hrbot.dialogue.messages import BotMessage

logger = logging.getLogger(__name__)

SEND_MESSAGE_URL = "dtmd://dingtalkclient/sendMessage?content="
DEFAULT_TITLE = "HR助手"
MAX_TITLE_CHARS = 30
MAX_BUTTON_TITLE_CHARS = 20  # the one-to-one API's limit for actionTitleN
MAX_CARD_BUTTONS = 5  # sampleActionCard .. sampleActionCard5
MAX_URL_CHARS = 500

Kind = Literal["text", "markdown", "actionCard"]


@dataclass(frozen=True)
class Button:
    """A choice: `url` is what a click does (send a message back, or open a page)."""

    title: str
    url: str


@dataclass(frozen=True)
class Reply:
    """One DingTalk message. `text` is markdown for markdown and action cards."""

    kind: Kind
    text: str
    title: str = DEFAULT_TITLE
    buttons: tuple[Button, ...] = ()


def send_message_url(content: str) -> str:
    """The link that makes the DingTalk client send `content` to the robot when clicked."""
    return SEND_MESSAGE_URL + quote(content, safe="")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def title_of(text: str) -> str:
    """The first line of `text` without markdown marks: what the conversation list shows."""
    for line in text.splitlines():
        line = line.strip().lstrip("#>*-").strip().replace("**", "")
        if line:
            return _shorten(line, MAX_TITLE_CHARS)
    return DEFAULT_TITLE


def as_markdown(text: str) -> str:
    """Plain text as DingTalk markdown: every line break kept (single breaks are doubled)."""
    return "\n\n".join(line.rstrip() for line in text.strip().split("\n") if line.strip())


def _button(raw: Any) -> Button | None:
    if not isinstance(raw, Mapping):
        return None
    title = str(raw.get("title") or raw.get("payload") or "").strip()
    payload = str(raw.get("payload") or raw.get("url") or title).strip()
    if not title or not payload:
        return None
    url = payload if payload.startswith(("https://", "http://")) else send_message_url(payload)
    if len(url) > MAX_URL_CHARS:
        logger.warning("button %r left out: its payload is too long for a DingTalk link", title)
        return None
    return Button(_shorten(title, MAX_BUTTON_TITLE_CHARS), url)


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(button for button in map(_button, raw) if button is not None)


def _with_buttons(text: str, buttons: tuple[Button, ...], title: str | None = None) -> Reply:
    body = as_markdown(text) if text.strip() else (title or "请选择：")
    return Reply("actionCard", body, title or title_of(text), buttons)


def _custom(custom: Mapping[str, Any]) -> Reply | None:
    """A `custom` message that is already DingTalk's text, markdown or action card."""
    kind = custom.get("msgtype")
    part = custom.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, Mapping):
        return None
    if kind == "text" and isinstance(part.get("content"), str):
        return Reply("text", part["content"])
    if kind == "markdown" and isinstance(part.get("text"), str):
        return Reply("markdown", part["text"], str(part.get("title") or title_of(part["text"])))
    if kind == "actionCard" and isinstance(part.get("text"), str):
        buttons = tuple(
            Button(str(b["title"]), str(b["actionURL"])) for b in part.get("btns") or []
            if isinstance(b, Mapping) and b.get("title") and b.get("actionURL")
        )
        if not buttons and part.get("singleTitle") and part.get("singleURL"):
            buttons = (Button(str(part["singleTitle"]), str(part["singleURL"])),)
        return Reply("actionCard", part["text"], str(part.get("title") or title_of(part["text"])), buttons)
    return None


def _replies(message: BotMessage) -> Iterable[Reply]:
    data = message.data
    text = (message.text or "").strip()
    buttons = _buttons(data.get("quick_replies") or data.get("buttons"))
    if buttons:
        yield _with_buttons(text, buttons)
    elif text:
        yield Reply("text", text)
    custom = data.get("custom")
    if isinstance(custom, Mapping) and custom:
        reply = _custom(custom)
        if reply is None:
            logger.warning("a custom message was not sent to DingTalk: give it \"msgtype\" text, "
                           "markdown or actionCard and DingTalk's fields for it")
        else:
            yield reply
    image = data.get("image")
    if isinstance(image, str) and image:
        yield Reply("markdown", f"![图片]({image})", "[图片]")
    attachment = data.get("attachment")
    if isinstance(attachment, str) and attachment and attachment != image:
        yield Reply("markdown", f"[查看附件]({attachment})", "[附件]")
    for element in data.get("elements") or []:
        if isinstance(element, Mapping):
            title = str(element.get("title") or "").strip()
            subtitle = str(element.get("subtitle") or "").strip()
            body = "\n".join(part for part in (f"**{title}**" if title else "", subtitle) if part)
            element_buttons = _buttons(element.get("buttons"))
            if element_buttons:
                yield _with_buttons(body, element_buttons, title or None)
            elif body:
                yield Reply("markdown", as_markdown(body), title_of(body))


def replies_for(messages: Sequence[BotMessage]) -> list[Reply]:
    """The DingTalk messages for the bot's messages of one turn, in order."""
    return [reply for message in messages for reply in _replies(message)]


def webhook_body(reply: Reply, *, at_user: str | None = None) -> dict[str, Any]:
    """The JSON to POST to a session webhook; `at_user` (a staff id) is @-mentioned, which
    group replies do so the person sees the answer is for them."""
    body: dict[str, Any]
    if reply.kind == "text":
        body = {"msgtype": "text", "text": {"content": reply.text}}
    elif reply.kind == "markdown":
        body = {"msgtype": "markdown", "markdown": {"title": reply.title, "text": reply.text}}
    else:
        body = {"msgtype": "actionCard", "actionCard": {
            "title": reply.title, "text": reply.text, "btnOrientation": "0",
            "btns": [{"title": b.title, "actionURL": b.url} for b in reply.buttons],
        }}
    if at_user:
        body["at"] = {"atUserIds": [at_user], "isAtAll": False}
    return body


def one_to_one_message(reply: Reply) -> tuple[str, dict[str, str]]:
    """`msgKey` and `msgParam` (before JSON encoding) for the robot's one-to-one send API.
    A card with more buttons than the API's templates take becomes markdown with the choices
    as links, which a click sends the same way."""
    if reply.kind == "text":
        return "sampleText", {"content": reply.text}
    if reply.kind == "markdown" or not reply.buttons:
        return "sampleMarkdown", {"title": reply.title, "text": reply.text}
    buttons = reply.buttons
    if len(buttons) == 1:
        return "sampleActionCard", {"title": reply.title, "text": reply.text,
                                    "singleTitle": buttons[0].title, "singleURL": buttons[0].url}
    if len(buttons) <= MAX_CARD_BUTTONS:
        param = {"title": reply.title, "text": reply.text}
        for number, button in enumerate(buttons, start=1):
            param[f"actionTitle{number}"] = button.title
            param[f"actionURL{number}"] = button.url
        return f"sampleActionCard{len(buttons)}", param
    links = "\n\n".join(f"- [{b.title}]({b.url})" for b in buttons)
    return "sampleMarkdown", {"title": reply.title, "text": f"{reply.text}\n\n{links}"}
