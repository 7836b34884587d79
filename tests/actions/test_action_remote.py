"""Custom actions over the action-server protocol, against a real rasa_sdk action server (one
child process for the session), a server that is down and one that is too slow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hrbot.actions.base import ActionFailed, ActionRejected
from hrbot.actions.lookup import ActionResolver
from hrbot.actions.remote import ActionServerState, RemoteAction, RemoteActionEndpoint, domain_digest
from hrbot.actions.sdk_server import ActionServerProcess, free_port
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet
from hrbot.shared.core.tracker import DialogueStateTracker


class Recording(httpx.AsyncBaseTransport):
    """The real network transport, remembering each request body, URL and answer status."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.bodies: list[dict[str, Any]] = []
        self.urls: list[httpx.URL] = []
        self.statuses: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        self.urls.append(request.url)
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _tracker(domain: Domain, kit: Any) -> DialogueStateTracker:
    return new_tracker(
        "emp-1001",
        domain,
        [
            ActionExecuted(timestamp=kit.NOW, name="action_listen"),
            kit.user("帮我看看", "inform"),
            SlotSet(timestamp=kit.NOW, name="leave_type", value="annual"),
        ],
    )


def _run_remote(
    name: str,
    domain: Domain,
    kit: Any,
    url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 5.0,
    token: str | None = None,
    times: int = 1,
) -> list[list[Event]]:
    async def main() -> list[list[Event]]:
        resolver = ActionResolver(domain, RemoteActionEndpoint(url, token, timeout), transport=transport)
        try:
            runtime = kit.runtime(domain, resolver)
            return [await resolver(name).run(_tracker(domain, kit), runtime) for _ in range(times)]
        finally:
            await resolver.aclose()

    return asyncio.run(main())


def test_a_custom_action_returns_its_messages_then_its_events(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    [events] = _run_remote("action_hello", leave_domain, kit, action_server.webhook_url)
    assert [e.type_name for e in events] == ["bot", "slot"]
    bot, slot = events
    assert isinstance(bot, BotUttered) and bot.text == "你好, emp-1001, annual"
    assert bot.data["buttons"] == [{"title": "好", "payload": "/affirm"}]
    assert isinstance(slot, SlotSet) and (slot.name, slot.value) == ("start_date", "2026-11-23")


def test_a_response_named_by_the_action_is_rendered_from_the_domain(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    [events] = _run_remote("action_use_response", leave_domain, kit, action_server.webhook_url)
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == "你好小王!"
    assert events[0].metadata["utter_action"] == "utter_greet"


def test_an_action_the_server_does_not_know_fails_saying_what_to_do(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    with pytest.raises(ActionFailed) as failure:
        _run_remote("action_not_there", leave_domain, kit, action_server.webhook_url)
    assert failure.value.reason == (
        "the action server does not know action action_not_there: add it to your actions package or "
        "remove it from the domain"
    )


def test_an_action_that_rejects_execution_raises_action_rejected(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    with pytest.raises(ActionRejected) as rejection:
        _run_remote("action_refuse", leave_domain, kit, action_server.webhook_url)
    assert (rejection.value.action, rejection.value.message) == ("action_refuse", "not now")


def test_an_invalid_event_fails_naming_it(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    with pytest.raises(ActionFailed) as failure:
        _run_remote("action_bad_event", leave_domain, kit, action_server.webhook_url)
    assert "invalid event" in failure.value.reason and "'teleport'" in failure.value.reason


def test_an_action_crashing_on_the_server_fails_with_the_status_and_its_error(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    with pytest.raises(ActionFailed) as failure:
        _run_remote("action_crash", leave_domain, kit, action_server.webhook_url)
    assert "HTTP 500" in failure.value.reason and "HRM database is down" in failure.value.reason


def test_the_domain_is_sent_once_then_left_out_while_the_server_has_it(
    leave_domain: Domain, kit: Any, action_server: ActionServerProcess
) -> None:
    recording = Recording()
    runs = _run_remote(
        "action_domain_echo",
        leave_domain,
        kit,
        action_server.webhook_url,
        transport=recording,
        times=2,
        token="s3cret",
    )
    assert ["domain" in body for body in recording.bodies] == [True, False]
    assert recording.statuses == [200, 200]
    for events in runs:  # the server used the domain it kept
        assert [(e.name, e.value) for e in events if isinstance(e, SlotSet)] == [("start_date", "leave_form")]
    first = recording.bodies[0]
    assert first["next_action"] == "action_domain_echo" and first["sender_id"] == "emp-1001"
    assert first["tracker"]["slots"]["leave_type"] == "annual"
    assert first["domain"] == leave_domain.to_dict() and first["domain_digest"] == domain_digest(
        first["domain"]
    )
    assert all(url.params["token"] == "s3cret" for url in recording.urls)


def test_a_server_without_the_domain_answers_449_and_gets_it(
    domain_from_yaml: Callable[[str], Domain], kit: Any, action_server: ActionServerProcess
) -> None:
    domain = domain_from_yaml(
        kit.LEAVE_DOMAIN.replace("forms:", "  utter_only_here_449:\n    - text: x\nforms:")
    )
    state = ActionServerState()
    state.known_domain_digest = domain_digest(domain.to_dict())  # hrbot wrongly believes the server has it
    recording = Recording()

    async def main() -> list[Event]:
        async with httpx.AsyncClient(transport=recording) as client:
            action = RemoteAction(
                "action_domain_echo", RemoteActionEndpoint(action_server.webhook_url), client, state
            )
            return await action.run(_tracker(domain, kit), kit.runtime(domain, ActionResolver(domain)))

    events = asyncio.run(main())
    assert recording.statuses == [449, 200]
    assert ["domain" in body for body in recording.bodies] == [False, True]
    assert [e.value for e in events if isinstance(e, SlotSet)] == ["leave_form"]
    assert state.known_domain_digest == domain_digest(domain.to_dict())


def test_a_server_that_is_down_fails_saying_it_is_unreachable(leave_domain: Domain, kit: Any) -> None:
    url = f"http://127.0.0.1:{free_port()}/webhook"
    with pytest.raises(ActionFailed) as failure:
        _run_remote("action_hello", leave_domain, kit, url)
    assert failure.value.reason.startswith(f"action server unreachable at {url}")


def test_a_slow_server_fails_with_a_time_out(leave_domain: Domain, kit: Any) -> None:
    async def main() -> None:
        async def sleepy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await asyncio.sleep(5)
            finally:
                writer.close()

        server = await asyncio.start_server(sleepy, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        resolver = ActionResolver(
            leave_domain, RemoteActionEndpoint(f"http://127.0.0.1:{port}/webhook", timeout=0.2)
        )
        try:
            with pytest.raises(ActionFailed) as failure:
                await resolver("action_hello").run(
                    _tracker(leave_domain, kit), kit.runtime(leave_domain, resolver)
                )
            assert (
                failure.value.reason
                == f"timed out after 0.2 s waiting for the action server at http://127.0.0.1:{port}/webhook"
            )
        finally:
            await resolver.aclose()
            server.close()

    asyncio.run(main())


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"<html>oops</html>", "not JSON"),
        (200, b"[1, 2]", "not an object"),
        (200, b'{"events": {"event": "slot"}}', "'events' must be a list"),
        (502, b"Bad Gateway", "HTTP 502: 'Bad Gateway'"),
        (400, b"nonsense", "HTTP 400"),
    ],
)
def test_answers_that_are_not_the_protocol_fail_in_plain_words(
    leave_domain: Domain, kit: Any, status: int, body: bytes, expected: str
) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    with pytest.raises(ActionFailed) as failure:
        _run_remote("action_hello", leave_domain, kit, "http://actions.test/webhook", transport=transport)
    assert expected in failure.value.reason


def test_an_empty_answer_means_no_events(leave_domain: Domain, kit: Any) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"events": [], "responses": []}))
    assert _run_remote(
        "action_hello", leave_domain, kit, "http://actions.test/webhook", transport=transport
    ) == [[]]


@pytest.mark.parametrize("how", ["send_domain", "omit_known_domain=False"])
def test_the_domain_goes_with_every_request_when_asked_to(
    domain_from_yaml: Callable[[str], Domain], kit: Any, action_server: ActionServerProcess, how: str
) -> None:
    actions = "actions:\n  - action_domain_echo:\n      send_domain: true\n" if how == "send_domain" else ""
    domain = domain_from_yaml(kit.LEAVE_DOMAIN + actions)
    recording = Recording()

    async def main() -> None:
        resolver = ActionResolver(
            domain,
            RemoteActionEndpoint(action_server.webhook_url),
            transport=recording,
            omit_known_domain=how == "send_domain",
        )
        try:
            for _ in range(2):
                await resolver("action_domain_echo").run(_tracker(domain, kit), kit.runtime(domain, resolver))
        finally:
            await resolver.aclose()

    asyncio.run(main())
    assert ["domain" in body for body in recording.bodies] == [True, True]
