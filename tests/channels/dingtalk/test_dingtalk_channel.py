"""The channel's rules, against a fake DingTalk on a real socket: one-to-one messages run the
dialogue as the staff member; group messages never do (only @-mentions get an invitation to
one-to-one); each message is answered once; answers fall back from an expired or refused
session webhook to the one-to-one API, and nothing is lost without a log naming it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from dingtalk_support import NOW_MS, FakeDingTalk, clicked, fake_dingtalk, robot_message, settings

from hrbot.channels.dingtalk.channel import (
    FAILED,
    GROUP_NOTICE_NOT_SENT,
    GROUP_NOTICE_SENT,
    NOT_A_MEMBER,
    ONLY_TEXT,
    TOO_LONG,
    DingTalkChannel,
    Handling,
    Reception,
)
from hrbot.channels.rest import MAX_MESSAGE_CHARS
from hrbot.dialogue.messages import BotMessage, UserMessage

CONFIRM = [{"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"}]
PRIVATE_ANSWERS = [BotMessage("张三，您11月实发 12,345.67 元。"),
                   BotMessage("请确认：年假 3 天", {"buttons": CONFIRM})]


class Dialogue:
    """The dialogue engine as the channel sees it; records what it was asked."""

    def __init__(self, answers: Sequence[BotMessage] = PRIVATE_ANSWERS, *, fails: bool = False) -> None:
        self.answers = answers
        self.fails = fails
        self.asked: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> Sequence[BotMessage]:
        self.asked.append(message)
        if self.fails:
            raise RuntimeError("the tracker store is down")
        return self.answers


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with fake_dingtalk() as server:
        yield server


def channel_for(fake: FakeDingTalk, dialogue: Dialogue) -> DingTalkChannel:
    return DingTalkChannel(settings(fake.base_url), dialogue, now=lambda: NOW_MS / 1000)


def handle(channel: DingTalkChannel, *bodies: dict[str, Any]) -> list[Reception]:
    async def scenario() -> list[Reception]:
        receptions = [await channel.receive(body) for body in bodies]
        for reception in receptions:
            await channel.respond(reception)
        return receptions

    return asyncio.run(scenario())


def texts(posts: list[Any]) -> list[str]:
    return [post["text"]["content"] if post["msgtype"] == "text" else post[post["msgtype"]]["text"]
            for post in posts]


# ----------------------------------------------------------------------------- one-to-one chats


def test_dingtalk_channel_runs_the_dialogue_as_the_staff_member_and_answers_in_order(
    fake: FakeDingTalk,
) -> None:
    dialogue = Dialogue()
    body = robot_message("上个月工资多少", webhook=fake.webhook("s1"))

    [reception] = handle(channel_for(fake, dialogue), body)

    assert reception.handling is Handling.DIALOGUE
    [asked] = dialogue.asked
    assert (asked.text, asked.sender_id, asked.input_channel, asked.message_id) == (
        "上个月工资多少", "manager4521", "dingtalk", "msg-1")
    posts = fake.webhook_posts("s1")
    assert [post["msgtype"] for post in posts] == ["text", "actionCard"]
    assert texts(posts) == ["张三，您11月实发 12,345.67 元。", "请确认：年假 3 天"]
    assert [clicked(b["actionURL"]) for b in posts[1]["actionCard"]["btns"]] == ["/affirm", "/deny"]
    assert "at" not in posts[0]  # nobody to @-mention in a one-to-one chat
    assert fake.one_to_one() == []


def test_dingtalk_channel_answers_a_message_delivered_twice_once(fake: FakeDingTalk) -> None:
    dialogue = Dialogue([BotMessage("好的")])
    body = robot_message("查年假", msg_id="msg-again", webhook=fake.webhook("s1"))

    receptions = handle(channel_for(fake, dialogue), body, body, robot_message("查工资", msg_id="msg-other",
                                                                                webhook=fake.webhook("s1")))

    assert [r.handling for r in receptions] == [Handling.DIALOGUE, Handling.DUPLICATE, Handling.DIALOGUE]
    assert [m.text for m in dialogue.asked] == ["查年假", "查工资"]
    assert texts(fake.webhook_posts()) == ["好的", "好的"]


def test_dingtalk_channel_answers_through_the_one_to_one_api_once_the_webhook_has_expired(
    fake: FakeDingTalk,
) -> None:
    body = robot_message("上个月工资多少", webhook=fake.webhook("old"), expires_ms=NOW_MS - 1)

    handle(channel_for(fake, Dialogue()), body)

    assert fake.webhook_posts() == []
    sent = fake.one_to_one()
    assert [(m["userIds"], m["msgKey"]) for m in sent] == [(["manager4521"], "sampleText"),
                                                          (["manager4521"], "sampleActionCard2")]
    assert sent[0]["msgParam"] == {"content": "张三，您11月实发 12,345.67 元。"}
    assert clicked(sent[1]["msgParam"]["actionURL1"]) == "/affirm"
    assert fake.tokens_issued == 1


def test_dingtalk_channel_treats_a_webhook_about_to_expire_as_expired(fake: FakeDingTalk) -> None:
    body = robot_message("查工资", webhook=fake.webhook("s1"), expires_ms=NOW_MS + 10_000)

    handle(channel_for(fake, Dialogue([BotMessage("好的")])), body)

    assert fake.webhook_posts() == []
    assert [m["msgParam"] for m in fake.one_to_one()] == [{"content": "好的"}]


def test_dingtalk_channel_switches_to_the_one_to_one_api_when_the_webhook_refuses(
    fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    fake.dead_sessions.add("s1")

    body = robot_message("查工资", msg_id="msg-dead", webhook=fake.webhook("s1"))

    handle(channel_for(fake, Dialogue()), body)

    assert len(fake.webhook_posts("s1")) == 1  # tried once, then never again for this message
    assert [m["msgKey"] for m in fake.one_to_one()] == ["sampleText", "sampleActionCard2"]
    assert "msg-dead: answer 1 of 2 not sent through the session webhook" in caplog.text
    assert "300001: session is expired" in caplog.text


def test_dingtalk_channel_logs_every_answer_it_could_not_deliver(
    fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    fake.one_to_one_refusal = {"code": "Forbidden.AccessDenied", "message": "没有权限"}

    handle(channel_for(fake, Dialogue()), robot_message("查工资", msg_id="msg-lost", expires_ms=NOW_MS - 1))

    assert "msg-lost: answer 1 of 2 is lost" in caplog.text
    assert "msg-lost: answer 2 of 2 is lost" in caplog.text
    assert "Forbidden.AccessDenied" in caplog.text


def test_dingtalk_channel_tells_the_user_when_the_dialogue_fails(
    fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    body = robot_message(msg_id="msg-boom", webhook=fake.webhook("s1"))

    handle(channel_for(fake, Dialogue(fails=True)), body)

    assert texts(fake.webhook_posts("s1")) == [FAILED]
    assert "the dialogue failed on DingTalk message msg-boom from manager4521" in caplog.text
    assert "the tracker store is down" in caplog.text


@pytest.mark.parametrize(("body", "handling", "answer"), [
    (robot_message(staff_id=None), Handling.NOT_A_MEMBER, NOT_A_MEMBER),
    (robot_message(None, msgtype="picture"), Handling.ONLY_TEXT, ONLY_TEXT),
    (robot_message("年" * (MAX_MESSAGE_CHARS + 1)), Handling.TOO_LONG, TOO_LONG),
])
def test_dingtalk_channel_answers_what_it_cannot_run_without_running_the_dialogue(
    fake: FakeDingTalk, body: dict[str, Any], handling: Handling, answer: str
) -> None:
    dialogue = Dialogue()
    body = {**body, "sessionWebhook": fake.webhook("s1")}

    [reception] = handle(channel_for(fake, dialogue), body)

    assert reception.handling is handling
    assert dialogue.asked == []
    assert texts(fake.webhook_posts("s1")) == [answer]


# ----------------------------------------------------------------------------------- group chats


def test_dingtalk_channel_ignores_group_talk_that_does_not_mention_the_robot(fake: FakeDingTalk) -> None:
    dialogue = Dialogue()

    [reception] = handle(channel_for(fake, dialogue), robot_message("今天谁请假了", group=True,
                                                                   webhook=fake.webhook("g")))

    assert reception.handling is Handling.NOT_ADDRESSED
    assert dialogue.asked == [] and fake.calls == []


def test_dingtalk_channel_invites_a_group_mention_to_one_to_one_without_running_the_dialogue(
    fake: FakeDingTalk,
) -> None:
    dialogue = Dialogue()
    body = robot_message("上个月工资多少", group=True, at_robot=True, webhook=fake.webhook("g"))

    [reception] = handle(channel_for(fake, dialogue), body)

    assert reception.handling is Handling.GROUP_INVITATION
    assert dialogue.asked == []  # no HR dialogue in a group, so nothing private can be shown there
    [group_post] = fake.webhook_posts("g")
    assert group_post == {"msgtype": "text", "text": {"content": GROUP_NOTICE_SENT},
                          "at": {"atUserIds": ["manager4521"], "isAtAll": False}}
    [invitation] = fake.one_to_one()
    assert (invitation["userIds"], invitation["msgKey"]) == (["manager4521"], "sampleActionCard")
    assert "研发部" in invitation["msgParam"]["text"] and "上个月工资多少" in invitation["msgParam"]["text"]
    assert clicked(invitation["msgParam"]["singleURL"]) == "上个月工资多少"  # one click asks it one-to-one


def test_dingtalk_channel_group_notice_says_how_to_start_a_chat_when_the_invitation_fails(
    fake: FakeDingTalk,
) -> None:
    fake.one_to_one_refusal = {"code": "Forbidden.AccessDenied", "message": "没有权限"}

    handle(channel_for(fake, Dialogue()), robot_message("查年假", group=True, at_robot=True,
                                                        webhook=fake.webhook("g")))

    assert texts(fake.webhook_posts("g")) == [GROUP_NOTICE_NOT_SENT]


def test_dingtalk_channel_never_sends_a_group_answer_one_to_one(
    fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    body = robot_message("查年假", msg_id="msg-g", group=True, at_robot=True, webhook=fake.webhook("g"),
                         expires_ms=NOW_MS - 1)

    handle(channel_for(fake, Dialogue()), body)

    assert [m["msgKey"] for m in fake.one_to_one()] == ["sampleActionCard"]  # the invitation only
    assert "msg-g: answer 1 of 1 is lost: the session webhook cannot be used" in caplog.text
    assert "a group answer is never sent one-to-one" in caplog.text


def test_dingtalk_channel_invitation_without_words_asks_to_write_one_to_one(fake: FakeDingTalk) -> None:
    body = robot_message("", group=True, at_robot=True, webhook=fake.webhook("g"))

    handle(channel_for(fake, Dialogue()), body)

    [invitation] = fake.one_to_one()
    assert invitation["msgKey"] == "sampleMarkdown"
    assert "请在这里直接告诉我" in invitation["msgParam"]["text"]
