"""The load the production tests send and what they check afterwards: which conversations
and messages, and whether PostgreSQL and RabbitMQ hold each message exactly once and in order.

Imported by the test modules of tests/production."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from production_project import COUNT_TEXT, REPLIES, TEXTS
from production_support import Delivery

JSON = dict[str, Any]
RETRYABLE = frozenset({"503", "ConnectError", "RemoteProtocolError", "ReadError", "WriteError"})
COUNT = re.compile(re.escape(COUNT_TEXT).replace(r"\{n\}", r"(\d+)"))


@dataclass(frozen=True)
class Message:
    message_id: str
    intent: str
    text: str


@dataclass
class Plan:
    """Conversations sent one message at a time (`users`), and bursts: a user's messages all
    sent at once (`bursts`)."""

    users: dict[str, list[Message]] = field(default_factory=dict)
    bursts: dict[str, list[Message]] = field(default_factory=dict)

    def intent_of(self, message_id: str) -> str:
        for messages in (*self.users.values(), *self.bursts.values()):
            for message in messages:
                if message.message_id == message_id:
                    return message.intent
        raise KeyError(message_id)

    @property
    def senders(self) -> list[str]:
        return sorted([*self.users, *self.bursts])


def make_plan(prefix: str, *, users: int, turns: int, bursts: int = 0, burst_size: int = 0,
              seed: int = 7) -> Plan:
    """`users` conversations of `turns` random messages each, and `bursts` users asking for their
    leave balance `burst_size` times at once (each answer counts the messages so far)."""
    rng = random.Random(seed)
    intents = sorted(TEXTS)
    plan = Plan()
    for user in range(users):
        sender = f"{prefix}-user{user:02d}"
        chosen = [rng.choice(intents) for _ in range(turns)]
        plan.users[sender] = [Message(f"{sender}-m{turn}", intent, rng.choice(TEXTS[intent]))
                              for turn, intent in enumerate(chosen)]
    texts = TEXTS["leave_balance"]
    for burst in range(bursts):
        sender = f"{prefix}-burst{burst}"
        plan.bursts[sender] = [Message(f"{sender}-m{i}", "leave_balance", texts[i % len(texts)])
                               for i in range(burst_size)]
    return plan


def user_turns(events: Sequence[JSON]) -> list[tuple[JSON, list[JSON]]]:
    """Each user event with the events after it, up to the next user event."""
    turns: list[tuple[JSON, list[JSON]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append((event, []))
        elif turns:
            turns[-1][1].append(event)
    return turns


def turn_batches(events: Sequence[JSON]) -> list[tuple[str | None, list[JSON]]]:
    """The events as the turns appended them: (the user message id, the turn's events). The
    session start before the first message belongs to the first turn."""
    batches: list[tuple[str | None, list[JSON]]] = []
    for event in events:
        starts_turn = event["event"] == "user"
        if not batches or (starts_turn and batches[-1][0] is not None):
            batches.append((None, []))
        if starts_turn:
            batches[-1] = (str(event.get("message_id")), batches[-1][1])
        batches[-1][1].append(event)
    return batches


def check_deliveries(deliveries: Iterable[Delivery]) -> None:
    """Every message was answered, perhaps after failures a client may retry (connection
    refused or reset, HTTP 503), and nothing else went wrong."""
    deliveries = list(deliveries)
    failed = [d for d in deliveries if d.error or not d.replies]
    assert not failed, failed[:5]
    unexpected = [d for d in deliveries if not set(d.attempts[:-1]) <= RETRYABLE]
    assert not unexpected, unexpected[:5]


def check_conversations(stored: dict[str, list[JSON]], plan: Plan, deliveries: Iterable[Delivery]) -> None:
    """What PostgreSQL holds: every message in exactly one conversation, exactly once; each
    conversation's messages in the order sent (a burst's in any order); turns that never
    interleave; and answers computed on the whole conversation so far."""
    assert sorted(stored) == plan.senders
    homes: dict[str, list[str]] = defaultdict(list)
    for sender, events in stored.items():
        for event in events:
            if event["event"] == "user":
                homes[str(event["message_id"])].append(sender)
    expected = {m.message_id: [sender] for sender, messages in [*plan.users.items(), *plan.bursts.items()]
                for m in messages}
    assert dict(homes) == expected, "a message is missing, doubled or in the wrong conversation"
    positions: dict[str, int] = {}
    for sender, events in stored.items():
        ids = [str(user["message_id"]) for user, _ in user_turns(events)]
        positions.update({message_id: number for number, message_id in enumerate(ids, start=1)})
        if sender in plan.users:
            assert ids == [m.message_id for m in plan.users[sender]], f"{sender}: out of order"
        for user, turn in user_turns(events):
            # one answer per message, and the bot listens before the next message is handled
            assert [e["event"] for e in turn].count("bot") == 1, (sender, user["text"], turn)
            assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen", (sender, turn)
    for delivery in deliveries:
        intent = plan.intent_of(delivery.message_id)
        if intent == "leave_balance":
            counted = COUNT.fullmatch(delivery.reply_text)
            assert counted is not None, delivery
            assert int(counted.group(1)) == positions[delivery.message_id], (
                f"answered on a stale conversation: {delivery}")
        else:
            assert delivery.reply_text == REPLIES[intent], delivery


def published_once(published: Sequence[tuple[str, JSON]],
                   stored: dict[str, list[JSON]]) -> dict[str, list[JSON]]:
    """The events RabbitMQ received for the `stored` conversations, per conversation in the
    order received, each message id once (a repeat must carry the same body)."""
    first: dict[str, JSON] = {}
    arrived: dict[str, list[JSON]] = {sender: [] for sender in stored}
    for message_id, body in published:
        if body.get("sender_id") not in stored:
            continue
        if message_id in first:
            assert first[message_id] == body, f"message {message_id} repeated with another body"
            continue
        first[message_id] = body
        event = dict(body)
        arrived[event.pop("sender_id")].append(event)
    return arrived


def unpublished_turns(published: Sequence[tuple[str, JSON]], stored: dict[str, list[JSON]]) -> list[str]:
    """Compare what RabbitMQ received with what PostgreSQL holds, conversation by conversation:
    every stored event published once, in the conversation's order, a repeat only with the same
    message id and body. The message ids of the turns whose events never arrived are returned
    (they must be whole turns, or the end of one); anything else that differs fails."""
    arrived = published_once(published, stored)
    missing: list[str] = []
    for sender, events in stored.items():
        got = arrived.get(sender, [])
        position = 0
        for message_id, batch in turn_batches(events):
            # a process killed while publishing may have sent the first events of its turn
            sent = 0
            while sent < len(batch) and position + sent < len(got) and got[position + sent] == batch[sent]:
                sent += 1
            position += sent
            if sent < len(batch):
                missing.append(str(message_id))
        assert position == len(got), (
            f"{sender}: RabbitMQ received events that are not stored, or out of order:\n"
            f"stored:    {_outline(events)}\npublished: {_outline(got)}")
    return missing


def _outline(events: Sequence[JSON]) -> str:
    return " ".join(str(e.get("message_id") or e.get("name") or e["event"])[-12:] for e in events
                    if e["event"] in ("user", "action"))
