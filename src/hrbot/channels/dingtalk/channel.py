"""The DingTalk channel without its transport: a robot message in, the bot's answers out to
DingTalk. The HTTP route and the stream handler both call `receive` (check and classify, fast,
so DingTalk gets its acknowledgement at once) and then `respond` (the dialogue and the
answers) in the background.

Who is talking: `senderStaffId`, which the action server maps to an employee through HRM
(`dingtalk_userid`). A message without one (a guest from outside the organisation) is not
run through the dialogue.

Groups. The robot only ever answers a group message that @-mentions it; the rest of the
group's talk is none of its business. And it never runs the HR dialogue for a group message:
it answers with a fixed invitation to continue one-to-one, and sends the person a one-to-one
message with a button that puts their question to the bot there. Why not answer the harmless
questions in the group? Whether an answer is private is not knowable from the message: the
same "我还有几天年假" intent, a follow-up of a form, a handoff, or a fallback that echoes what
HR systems said can all carry one person's data, intents and actions change without the
channel noticing, and a turn in the group would also mix group talk into the person's private
conversation (the tracker is per employee). A rule that never shows a dialogue answer in a
group cannot leak by mistake; the button makes the one-to-one route one click.

Answers go to the message's `sessionWebhook` while it is valid; when it has expired (or
DingTalk refuses it), the rest of the answers of a one-to-one conversation go through the
robot's one-to-one send API. Every problem is logged with the message id and what went wrong.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hrbot.channels.dingtalk.api import DeliveryError, DingTalkApi
from hrbot.channels.dingtalk.dedupe import RecentMessageIds, SeenMessages
from hrbot.channels.dingtalk.payload import IncomingMessage, parse_callback, to_user_message
from hrbot.channels.dingtalk.replies import (
    Button,
    Reply,
    one_to_one_message,
    replies_for,
    send_message_url,
    webhook_body,
)
from hrbot.channels.dingtalk.settings import DingTalkSettings
from hrbot.channels.rest import MAX_MESSAGE_CHARS
from hrbot.dialogue.messages import BotMessage, UserMessage

logger = logging.getLogger(__name__)

OnMessage = Callable[[UserMessage], Awaitable[Sequence[BotMessage]]]
"""The dialogue engine as the channel sees it: a user message in, the bot's messages out."""

WEBHOOK_MARGIN_MS = 30_000  # a webhook this close to its expiry is treated as expired
MAX_QUESTION_LINK_CHARS = 150  # longer questions are not put on the one-click button

GROUP_NOTICE_SENT = "为保护个人信息，HR助手不在群里办理个人事务。我已单独给您发了消息，请在与我的单聊中继续。"
GROUP_NOTICE_NOT_SENT = "为保护个人信息，HR助手不在群里办理个人事务。请点我的头像发起单聊，在单聊中向我提问。"
PRIVATE_INVITATION_TITLE = "在单聊中继续"
PRIVATE_INVITATION = ("您刚才在群「{group}」里找我：\n\n> {question}\n\n"
                      "为保护您的个人信息，请在这里继续。点下面的按钮，就把这个问题发给我。")
PRIVATE_INVITATION_BARE = "您刚才在群「{group}」里找我。为保护您的个人信息，请在这里直接告诉我您想办的事。"
ASK_AGAIN_BUTTON = "发送这个问题"
NOT_A_MEMBER = "抱歉，HR助手只为本企业员工服务，没能识别您的员工账号。"
ONLY_TEXT = "目前我只能看懂文字消息，请用文字告诉我您想办的事。"
EMPTY_TEXT = "您好，请用文字告诉我您想办的事。"
TOO_LONG = f"消息太长了，请精简到{MAX_MESSAGE_CHARS}字以内再发给我。"
FAILED = "抱歉，系统暂时出了点问题，没能处理您刚才的消息，请稍后再试。"


class Handling(enum.Enum):
    """What the channel does with a message."""

    DIALOGUE = "dialogue"                  # one-to-one text: the HR dialogue answers
    GROUP_INVITATION = "group_invitation"  # a group @-mention: invite to one-to-one
    NOT_ADDRESSED = "not_addressed"        # group talk without @-mention: ignored
    DUPLICATE = "duplicate"                # seen before: ignored
    NOT_A_MEMBER = "not_a_member"          # no senderStaffId: no employee to act for
    ONLY_TEXT = "only_text"                # a picture, file, voice...: ask for text
    EMPTY = "empty"
    TOO_LONG = "too_long"

    @property
    def answers(self) -> bool:
        return self not in (Handling.NOT_ADDRESSED, Handling.DUPLICATE)


FIXED_ANSWERS = {
    Handling.NOT_A_MEMBER: NOT_A_MEMBER,
    Handling.ONLY_TEXT: ONLY_TEXT,
    Handling.EMPTY: EMPTY_TEXT,
    Handling.TOO_LONG: TOO_LONG,
}


@dataclass(frozen=True)
class Reception:
    """A checked message and what to do with it."""

    message: IncomingMessage
    handling: Handling


def classify(message: IncomingMessage) -> Handling:
    """What to do with a message that has not been seen before."""
    if message.is_group:
        return Handling.GROUP_INVITATION if message.is_in_at_list else Handling.NOT_ADDRESSED
    if message.sender_staff_id is None:
        return Handling.NOT_A_MEMBER
    if not message.has_text_type:
        return Handling.ONLY_TEXT
    if not message.text:
        return Handling.EMPTY
    if len(message.text) > MAX_MESSAGE_CHARS:
        return Handling.TOO_LONG
    return Handling.DIALOGUE


def private_invitation(message: IncomingMessage) -> Reply:
    """The one-to-one message a group @-mention gets: their question, one click away."""
    group = message.conversation_title or "群聊"
    question = message.text.strip()
    if question and len(question) <= MAX_QUESTION_LINK_CHARS:
        text = PRIVATE_INVITATION.format(group=group, question=question.replace("\n", " "))
        return Reply("actionCard", text, PRIVATE_INVITATION_TITLE,
                     (Button(ASK_AGAIN_BUTTON, send_message_url(question)),))
    return Reply("markdown", PRIVATE_INVITATION_BARE.format(group=group), PRIVATE_INVITATION_TITLE)


class DingTalkChannel:
    """Receives robot messages and answers them. `now` reads the wall clock in seconds (to
    tell whether a session webhook has expired); `seen` remembers answered message ids."""

    def __init__(
        self,
        settings: DingTalkSettings,
        on_message: OnMessage,
        *,
        api: DingTalkApi | None = None,
        seen: SeenMessages | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.on_message = on_message
        self.api = api or DingTalkApi(settings, now=now)
        self.seen: SeenMessages = seen or RecentMessageIds()
        self._now = now

    async def receive(self, body: Any) -> Reception:
        """A callback body checked (ChannelPayloadError naming the bad field), deduplicated
        and classified. Quick: nothing here waits for the dialogue or for DingTalk."""
        message = parse_callback(body)
        if not await self.seen.first_sighting(message.msg_id):
            logger.info("DingTalk message %s was delivered again; it is answered once", message.msg_id)
            return Reception(message, Handling.DUPLICATE)
        handling = classify(message)
        if handling is not Handling.DIALOGUE:
            logger.info("DingTalk message %s: %s", message.msg_id, handling.value)
        return Reception(message, handling)

    async def respond(self, reception: Reception) -> None:
        """Answer a received message. Never raises: every failure is logged with the message id
        (and the user told, where that is still possible)."""
        message, handling = reception.message, reception.handling
        try:
            if handling is Handling.DIALOGUE:
                await self._converse(message)
            elif handling is Handling.GROUP_INVITATION:
                await self._invite(message)
            elif handling in FIXED_ANSWERS:
                await self.deliver(message, [Reply("text", FIXED_ANSWERS[handling])])
        except Exception:
            logger.exception("DingTalk message %s (%s) could not be answered", message.msg_id, handling.value)

    async def _converse(self, message: IncomingMessage) -> None:
        try:
            answers = await self.on_message(to_user_message(message))
        except Exception:
            logger.exception("the dialogue failed on DingTalk message %s from %s; the user is told to "
                             "try again", message.msg_id, message.sender_staff_id)
            await self.deliver(message, [Reply("text", FAILED)])
            return
        await self.deliver(message, replies_for(answers))

    async def _invite(self, message: IncomingMessage) -> None:
        sent_privately = False
        if message.sender_staff_id is not None:
            try:
                invitation = one_to_one_message(private_invitation(message))
                await self.api.send_one_to_one(message.sender_staff_id, *invitation)
                sent_privately = True
            except DeliveryError as error:
                logger.warning("DingTalk message %s: the one-to-one invitation was not sent: %s",
                               message.msg_id, error)
        notice = GROUP_NOTICE_SENT if sent_privately else GROUP_NOTICE_NOT_SENT
        await self.deliver(message, [Reply("text", notice)], at_sender=True)

    def _webhook_usable(self, message: IncomingMessage) -> bool:
        if message.session_webhook is None:
            return False
        expires = message.session_webhook_expires_ms
        if expires is not None and self._now() * 1000 >= expires - WEBHOOK_MARGIN_MS:
            logger.info("DingTalk message %s: its session webhook expired at %d; answering through the "
                        "one-to-one API", message.msg_id, expires)
            return False
        return True

    async def deliver(
        self, message: IncomingMessage, replies: Sequence[Reply], *, at_sender: bool = False
    ) -> bool:
        """Send `replies` in order into the message's conversation: through its session webhook
        while it works, then (one-to-one conversations only: a group's answer must never turn
        up elsewhere) through the one-to-one API. True when every reply was delivered."""
        use_webhook = self._webhook_usable(message)
        staff_id = None if message.is_group else message.sender_staff_id
        at_user = message.sender_staff_id if at_sender else None
        delivered = 0
        for number, reply in enumerate(replies, start=1):
            if use_webhook and message.session_webhook is not None:
                try:
                    body = webhook_body(reply, at_user=at_user)
                    await self.api.post_to_webhook(message.session_webhook, body)
                    delivered += 1
                    continue
                except DeliveryError as error:
                    logger.warning("DingTalk message %s: answer %d of %d not sent through the session "
                                   "webhook: %s", message.msg_id, number, len(replies), error)
                    use_webhook = False
            if staff_id is None:
                logger.error("DingTalk message %s: answer %d of %d is lost: the session webhook cannot be "
                             "used and a group answer is never sent one-to-one", message.msg_id, number,
                             len(replies))
                continue
            try:
                await self.api.send_one_to_one(staff_id, *one_to_one_message(reply))
                delivered += 1
            except DeliveryError as error:
                logger.error("DingTalk message %s: answer %d of %d is lost: %s", message.msg_id, number,
                             len(replies), error)
        return delivered == len(replies)
