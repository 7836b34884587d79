"""What users see when a service the bots depend on fails: PostgreSQL restarting under load,
Redis gone, RabbitMQ gone and back, the action server too slow or failing, and the HR backend
failing. The outages are made by switching off the forwarders the bots reach the services
through (open connections are cut, new ones refused)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection

import httpx
import pytest
from production_checks import (
    Plan,
    check_conversations,
    check_deliveries,
    make_plan,
    published_once,
    user_turns,
)
from production_project import (
    ACTION_FAILED,
    ACTION_TIMEOUT_S,
    COUNT_TEXT,
    GREETING,
    SALARY_TEXT,
    SLOW_ACTION_S,
    TEXTS,
    hr_systems_down_message,
)
from production_support import (
    WEBHOOK,
    CarefulClient,
    Cluster,
    Delivery,
    FailingHRBackend,
    Forwarder,
    drain_queue,
    run,
    stored_conversations,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(90)]

OUTAGE_S = 2.0


async def send_plan(cluster: Cluster, plan: Plan, *, concurrency: int = 8,
                    outage: tuple[Forwarder, float] | None = None,
                    sticky: Collection[str] = ()) -> list[Delivery]:
    """Send each conversation one message at a time, each turn to the next process (the
    `sticky` senders' always to the same one); with `outage` (forwarder, share), switch the
    forwarder off for OUTAGE_S seconds once that share of the messages is answered."""
    client = CarefulClient(cluster.urls, concurrency)
    total = sum(len(messages) for messages in plan.users.values())
    answered = 0
    started = asyncio.Event()

    async def conversation(number: int, sender: str) -> list[Delivery]:
        nonlocal answered
        done = []
        for turn, message in enumerate(plan.users[sender]):
            target = number if sender in sticky else number + turn
            done.append(await client.send(sender, message.text, message.message_id, first=target))
            answered += 1
            if outage is not None and answered >= outage[1] * total:
                started.set()
        return done

    async def switch() -> None:
        if outage is None:
            return
        await started.wait()
        await asyncio.to_thread(outage[0].off)
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(outage[0].on)

    try:
        found = await asyncio.gather(switch(), *(conversation(n, s) for n, s in enumerate(plan.users)))
    finally:
        await client.aclose()
    return [delivery for deliveries in found[1:] for delivery in deliveries]


def post(url: str, sender: str, text: str, message_id: str) -> tuple[int, float, object]:
    """(status, seconds, JSON body) of one webhook call."""
    started = time.perf_counter()
    response = httpx.post(url + WEBHOOK, json={"sender": sender, "message": text, "message_id": message_id},
                          timeout=30)
    return response.status_code, time.perf_counter() - started, response.json()


def texts(body: object) -> str:
    assert isinstance(body, list), body
    return "\n".join(str(message.get("text") or "") for message in body)


def test_production_faults_a_postgresql_restart_under_load_is_answered_with_503_and_loses_nothing(
    healthy_cluster: Cluster, run_id: str
) -> None:
    """While PostgreSQL is away, messages are refused with 503 naming the database; once it is
    back every bot answers again without a restart, and each message the client then retried
    is stored exactly once, in order."""
    cluster = healthy_cluster
    plan = make_plan(f"{run_id}-pg", users=12, turns=6)

    deliveries = run(lambda: send_plan(cluster, plan, outage=(cluster.forwarders.postgres, 0.3)))

    check_deliveries(deliveries)
    refused = [d for d in deliveries if "503" in d.attempts]
    assert refused, "no message arrived while PostgreSQL was away"
    for refusal in (body for d in refused for body in d.refusals):
        message = json.loads(refusal)["message"]
        assert "cannot use the database" in message and "check that the database server is running" in message
    stored = stored_conversations(cluster.database, cluster.schema, f"{run_id}-pg")
    check_conversations(stored, plan, deliveries)
    assert all(bot.alive for bot in cluster.bots)
    for number, bot in enumerate(cluster.bots):
        status, _, body = post(bot.url, f"{run_id}-pg-after", TEXTS["greet"][0], f"{run_id}-after-{number}")
        assert (status, texts(body)) == (200, GREETING), bot.log_tail()


def test_production_faults_without_redis_messages_are_refused_with_a_clear_503_and_nothing_is_stored(
    healthy_cluster: Cluster, run_id: str
) -> None:
    """No Redis, no conversation lock: each bot refuses the message at once with 503 saying
    that the Redis lock store cannot be used, and stores nothing of it. When Redis is back,
    every message is answered at the first attempt, also on connections the bots had open
    before the outage, and the conversation goes on where it was."""
    cluster = healthy_cluster
    sender = f"{run_id}-redis"
    leave = TEXTS["leave_balance"][0]
    status, _, body = post(cluster.bots[0].url, sender, leave, f"{sender}-before")
    assert (status, texts(body)) == (200, COUNT_TEXT.format(n=1))
    busy = run(lambda: send_plan(cluster, make_plan(f"{run_id}-busy1", users=12, turns=2), concurrency=12))
    assert all(d.attempts == ["200"] for d in busy)

    with cluster.forwarders.redis.down():
        answers = [post(bot.url, sender, leave, f"{sender}-down-{n}") for n, bot in enumerate(cluster.bots)]

    for status, seconds, body in answers:
        assert status == 503, body
        assert isinstance(body, dict)
        assert "cannot use the Redis lock store" in body["message"]
        assert "check that Redis is running" in body["message"]
        assert seconds < 3.0
    busy = run(lambda: send_plan(cluster, make_plan(f"{run_id}-busy2", users=12, turns=2), concurrency=12))
    refused = [(d.attempts, d.refusals) for d in busy if d.attempts != ["200"]]
    assert not refused, refused[:2]
    after = [post(bot.url, sender, leave, f"{sender}-after-{n}") for n, bot in enumerate(cluster.bots)]
    assert [(status, texts(body)) for status, _, body in after] == [
        (200, COUNT_TEXT.format(n=n)) for n in (2, 3, 4)
    ]
    stored = stored_conversations(cluster.database, cluster.schema, sender)[sender]
    assert [user["message_id"] for user, _ in user_turns(stored)] == [
        f"{sender}-before", *(f"{sender}-after-{n}" for n in range(3))
    ]


def test_production_faults_while_rabbitmq_is_away_users_notice_nothing_and_every_event_arrives_later(
    healthy_cluster: Cluster, event_queue: str, run_id: str
) -> None:
    """Without RabbitMQ the bots answer as usual and keep the events on disk; once it is back
    they send them, and the queue receives every stored event exactly once (per message id).
    A conversation that stays on one process arrives in order. One whose turns went to several
    processes may not: each process resends its own backlog, independently of the others."""
    cluster = healthy_cluster
    whole = make_plan(f"{run_id}-mq", users=6, turns=6)
    sticky = set(list(whole.users)[:3])
    during = Plan(users={sender: messages[:3] for sender, messages in whole.users.items()})
    later = Plan(users={sender: messages[3:] for sender, messages in whole.users.items()})

    with cluster.forwarders.rabbitmq.down():
        answered_during = run(lambda: send_plan(cluster, during, sticky=sticky))
        kept = [path for path in cluster.buffer_folder.glob("events-*.jsonl") if path.stat().st_size]
    answered_later = run(lambda: send_plan(cluster, later, sticky=sticky))

    not_at_once = [d for d in answered_during + answered_later if d.attempts != ["200"]]
    assert not not_at_once, [(d.attempts, d.refusals) for d in not_at_once[:3]]
    assert kept, "no events were kept on disk while RabbitMQ was away"
    stored = stored_conversations(cluster.database, cluster.schema, f"{run_id}-mq")
    check_conversations(stored, whole, answered_during + answered_later)
    events = sum(len(found) for found in stored.values())
    published = run(lambda: drain_queue(
        cluster.services.rabbitmq, event_queue,
        enough=lambda got: len({m for m, body in got if str(body["sender_id"]).startswith(run_id)}) >= events,
    ))
    arrived = published_once(published, stored)
    for sender, events_stored in stored.items():
        if sender in sticky:
            assert arrived[sender] == events_stored, sender
        else:
            assert sorted(map(_canonical, arrived[sender])) == sorted(map(_canonical, events_stored)), sender


def _canonical(event: dict[str, object]) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False)


def test_production_faults_a_slow_or_failing_action_server_gets_the_action_failed_message(
    healthy_cluster: Cluster, run_id: str
) -> None:
    """An action that outlasts the action endpoint's timeout, or that the action server answers
    with HTTP 500, becomes the domain's utter_action_failed, within the timeout; the
    conversation is not stuck: the next message is answered as usual."""
    cluster = healthy_cluster
    leave, hello = TEXTS["leave_balance"][0], TEXTS["greet"][0]
    for kind in ("slow", "broken"):
        sender = f"{kind}-{run_id}"
        status, seconds, body = post(cluster.bots[0].url, sender, leave, f"{sender}-1")
        assert (status, texts(body)) == (200, ACTION_FAILED)
        assert seconds < min(SLOW_ACTION_S, ACTION_TIMEOUT_S + 1.5)
        status, _, body = post(cluster.bots[1].url, sender, hello, f"{sender}-2")
        assert (status, texts(body)) == (200, GREETING)
        stored = stored_conversations(cluster.database, cluster.schema, sender)[sender]
        failed = [e for e in stored if e["event"] == "bot" and e.get("metadata", {}).get("action_failed")]
        assert [e["metadata"]["action_failed"] for e in failed] == ["action_leave_balance"]


def test_production_faults_an_hr_backend_answering_500_gets_the_hr_actions_friendly_message(
    healthy_cluster: Cluster, hr_backend: FailingHRBackend, run_id: str
) -> None:
    """The real salary action, with an HR backend that fails every request, tells the employee
    that the HR system cannot be reached and to try later or ask HR, after retrying once."""
    cluster = healthy_cluster
    sender = f"E{run_id}"
    before = len(hr_backend.requests)
    status, _, body = post(cluster.bots[2].url, sender, SALARY_TEXT, f"{sender}-1")
    assert (status, texts(body)) == (200, hr_systems_down_message())
    assert hr_backend.requests[before:] == [f"GET /hrm/identities?employee_id={sender}"] * 2
