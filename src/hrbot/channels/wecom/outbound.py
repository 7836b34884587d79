"""The bot's messages as WeCom app messages (the body of `message/send` without `touser` and
`agentid`), and button keys back to payloads.

    text                      -> text (split at line breaks to WeCom's 2048 bytes), or markdown
                                 when it uses markup WeCom renders (**bold**, # heading,
                                 [link](url), `code`, > quote) and markdown is on
    text + buttons            -> a template_card of type button_interaction: the first line as
                                 its title, the rest as its text, one button per choice whose
                                 key is the button's payload; a text too long for a card goes
                                 first as a text message. More than 6 buttons: more cards.
    image                     -> news (one article linking the picture)
    attachment                -> text with the link
    custom {"wecom": {...}}   -> sent as it is (any message/send body with its msgtype)
    elements                  -> each as text (title, subtitle) with its buttons

WeCom wants button keys unique within a card and at most 1024 bytes. A payload that fits is its
own key, so a click brings back exactly the payload; a longer or repeated one gets the key
`hrbot-key:<sha256 prefix>:<n>`, and the click is resolved against the buttons the conversation
was offered (`resolve_key`), which the tracker keeps anyway.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hrbot.dialogue.messages import BotMessage

logger = logging.getLogger(__name__)

MAX_TEXT_BYTES = 2048  # text and markdown content; WeCom truncates longer ones
MAX_BUTTONS_PER_CARD = 6
MAX_KEY_BYTES = 1024
MAX_CARD_TITLE_CHARS = 26  # main_title.title, as WeCom recommends
MAX_CARD_TEXT_CHARS = 112  # sub_title_text, as WeCom recommends
MAX_BUTTON_LABEL_CHARS = 10  # button text, as WeCom recommends
MAPPED_KEY_PREFIX = "hrbot-key:"
CHOICE_PROMPT = "请选择"
MORE_CHOICES_PROMPT = "更多选项"

_MARKDOWN = re.compile(
    r"\*\*[^*\n]+\*\*"  # **bold**
    r"|^#{1,6} \S"  # # heading
    r"|\[[^\]\n]+\]\(https?://[^)\s]+\)"  # [link](https://...)
    r"|`[^`\n]+`"  # `code`
    r"|^> \S"  # > quote
    r"|<font color=",
    re.MULTILINE,
)

Body = dict[str, Any]


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


def new_task_id() -> str:
    """A template card's task id: unique per app, letters, digits and _-@ only, at most 128 bytes."""
    return f"hrbot-{uuid.uuid4().hex}"


def uses_markdown(text: str) -> bool:
    """Whether `text` has markup that WeCom's markdown renders (lists and tables it does not)."""
    return bool(_MARKDOWN.search(text))


def split_utf8(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in parts of at most `limit` UTF-8 bytes, cut at line breaks where possible."""
    if len(text.encode("utf-8")) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line.encode("utf-8")) > limit:
            head = line.encode("utf-8")[:limit].decode("utf-8", "ignore")  # whole characters only
            parts.append(head)
            line = line[len(head):]
        current = line
    if current:
        parts.append(current)
    return parts


def text_bodies(text: str, *, markdown: bool) -> list[Body]:
    """Text (or markdown) messages for `text`, within WeCom's size limit."""
    text = text.strip()
    if not text:
        return []
    kind = "markdown" if markdown and uses_markdown(text) else "text"
    return [{"msgtype": kind, kind: {"content": part}} for part in split_utf8(text)]


def _payload_digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def button_keys(payloads: Sequence[str]) -> list[str]:
    """One key per payload: the payload itself when it is short enough, not used before and not
    mistakable for a mapped key; `hrbot-key:<digest>:<n>` otherwise."""
    keys: list[str] = []
    for index, payload in enumerate(payloads):
        fits = 0 < len(payload.encode("utf-8")) <= MAX_KEY_BYTES and not payload.startswith(MAPPED_KEY_PREFIX)
        keys.append(payload if fits and payload not in keys
                    else f"{MAPPED_KEY_PREFIX}{_payload_digest(payload)}:{index}")
    return keys


def is_mapped_key(key: str) -> bool:
    return key.startswith(MAPPED_KEY_PREFIX)


def resolve_key(key: str, offered_payloads: Iterable[str]) -> str | None:
    """The payload a clicked key stands for: the key itself unless it is a mapped key, else the
    offered payload with its digest (None when the conversation was never offered it)."""
    if not is_mapped_key(key):
        return key
    digest = key[len(MAPPED_KEY_PREFIX):].partition(":")[0]
    return next((payload for payload in offered_payloads if _payload_digest(payload) == digest), None)


def buttons_of(data: Mapping[str, Any], *, report: bool = True) -> list[Button]:
    """The well-formed buttons (or quick replies) of a bot message's data, in order; `report`
    logs the ones left out."""
    raw = data.get("quick_replies") or data.get("buttons") or []
    found: list[Button] = []
    for item in raw if isinstance(raw, list) else []:
        title = item.get("title") if isinstance(item, Mapping) else None
        payload = item.get("payload") if isinstance(item, Mapping) else None
        if isinstance(title, str) and isinstance(payload, str) and payload:
            found.append(Button(title.strip() or payload, payload))
        elif report:
            logger.warning("a button without a string title and payload was left out of a WeCom card: %r",
                           item)
    return found


def _labels(buttons: Sequence[Button]) -> tuple[list[str], str]:
    """Button labels, and lines to add to the text: when a title is too long for a button, the
    choices are listed in full in the text and the buttons are numbered."""
    if all(len(button.title) <= MAX_BUTTON_LABEL_CHARS for button in buttons):
        return [button.title for button in buttons], ""
    labels = []
    for number, button in enumerate(buttons, start=1):
        label = f"{number}. {button.title}"
        if len(label) > MAX_BUTTON_LABEL_CHARS:
            label = label[:MAX_BUTTON_LABEL_CHARS - 1] + "…"
        labels.append(label)
    listing = "\n".join(f"{number}. {button.title}" for number, button in enumerate(buttons, start=1))
    return labels, listing


def _card(title: str, text: str, labels: Sequence[str], keys: Sequence[str], task_id: str) -> Body:
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "task_id": task_id,
        "main_title": {"title": title},
        "button_list": [{"text": label, "style": 1, "key": key}
                        for label, key in zip(labels, keys, strict=True)],
    }
    if text:
        card["sub_title_text"] = text
    return {"msgtype": "template_card", "template_card": card}


def card_bodies(text: str | None, buttons: Sequence[Button], *, markdown: bool,
                task_ids: Callable[[], str] = new_task_id) -> list[Body]:
    """`text` with its buttons as button_interaction cards (see the module docstring)."""
    labels, listing = _labels(buttons)
    full = "\n".join(part for part in ((text or "").strip(), listing) if part)
    first, _, rest = full.partition("\n")
    bodies: list[Body] = []
    if full and len(first) <= MAX_CARD_TITLE_CHARS and len(rest) <= MAX_CARD_TEXT_CHARS:
        title, body_text = first, rest
    else:
        bodies.extend(text_bodies(full, markdown=markdown))
        title, body_text = CHOICE_PROMPT, ""
    keys = button_keys([button.payload for button in buttons])
    for start in range(0, len(buttons), MAX_BUTTONS_PER_CARD):
        end = start + MAX_BUTTONS_PER_CARD
        bodies.append(_card(title, body_text, labels[start:end], keys[start:end], task_ids()))
        title, body_text = MORE_CHOICES_PROMPT, ""
    return bodies


def _custom_body(custom: Any) -> Body | None:
    wecom = custom.get("wecom") if isinstance(custom, Mapping) else None
    if isinstance(wecom, Mapping) and isinstance(wecom.get("msgtype"), str):
        return dict(wecom)
    logger.info("a custom bot message without a 'wecom' body (with its msgtype) is not sent to WeCom")
    return None


def wecom_bodies(message: BotMessage, *, markdown: bool = True,
                 task_ids: Callable[[], str] = new_task_id) -> list[Body]:
    """The WeCom messages for one bot message, in the order Rasa's channels send its parts."""
    data = dict(message.data)
    bodies: list[Body] = []
    buttons = buttons_of(data)
    if buttons:
        bodies.extend(card_bodies(message.text, buttons, markdown=markdown, task_ids=task_ids))
    elif message.text:
        bodies.extend(text_bodies(message.text, markdown=markdown))
    if data.get("custom"):
        custom = _custom_body(data["custom"])
        if custom is not None:
            bodies.append(custom)
    image = data.get("image")
    if isinstance(image, str) and image:
        bodies.append({"msgtype": "news", "news": {"articles": [
            {"title": "图片", "url": image, "picurl": image},
        ]}})
    attachment = data.get("attachment")
    if isinstance(attachment, str) and attachment and attachment != image:
        bodies.extend(text_bodies(f"附件:{attachment}", markdown=False))
    elements = data.get("elements")
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, Mapping):
            continue
        summary = "\n".join(str(element[key]) for key in ("title", "subtitle") if element.get(key))
        element_buttons = buttons_of({"buttons": element.get("buttons") or []})
        if element_buttons:
            bodies.extend(card_bodies(summary, element_buttons, markdown=markdown, task_ids=task_ids))
        else:
            bodies.extend(text_bodies(summary, markdown=markdown))
    return bodies


def offered_payloads(messages: Iterable[BotMessage]) -> list[str]:
    """Every button payload in `messages` (including elements' buttons), for `resolve_key`."""
    payloads: list[str] = []
    for message in messages:
        payloads.extend(button.payload for button in buttons_of(message.data, report=False))
        elements = message.data.get("elements")
        for element in elements if isinstance(elements, list) else []:
            if isinstance(element, Mapping):
                element_buttons = buttons_of({"buttons": element.get("buttons") or []}, report=False)
                payloads.extend(button.payload for button in element_buttons)
    return payloads
