"""Custom actions on a Rasa action server (`rasa_sdk`), over Rasa 3.x's HTTP protocol.

Request (POST to the endpoint URL, `?token=` when a token is configured):
`{next_action, sender_id, tracker, domain, domain_digest, version}` — the tracker with all its
events, the domain in Rasa's JSON shape. Answer: `{events, responses}`; responses become
`bot` events first (a `response` names a domain response, rendered with the rest of the
message as template values; literal `text`, `buttons`, `image`, ... are sent as they are), then
the events follow, read as Rasa events.

Errors:
- HTTP 400 `{action_name, error}`: the action rejected execution → `ActionRejected` (a form's
  validation action refusing a value, for instance);
- HTTP 404: the server has no such action → `ActionFailed` saying to add it or drop it;
- HTTP 449: the server wants the domain (it does not have this version) → sent again with it;
- time-out, connection refused, other HTTP errors, an answer that is not JSON, an invalid
  event → `ActionFailed` with the reason in plain words.

Like Rasa (with `domain_digest`), hrbot leaves the domain out of a request once this server
has received the current version of it; a server that lost it (restart, another worker)
answers 449 and gets it again. Actions declared with `send_domain: true` always get it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx

from hrbot.actions.base import Action, ActionFailed, ActionRejected, ActionRuntime
from hrbot.actions.utterances import bot_uttered
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import Event, InvalidEventError, events_from_dicts
from hrbot.shared.core.tracker import DialogueStateTracker, EventVerbosity

RASA_PROTOCOL_VERSION = "3.6.21"
"""The Rasa version whose action-server protocol hrbot speaks (sent as `version`)."""

HTTP_MISSING_DOMAIN = 449


@dataclass(frozen=True)
class RemoteActionEndpoint:
    """Where the action server is (`action_endpoint` in endpoints.yml)."""

    url: str
    token: str | None = None
    timeout: float = 10.0


class ActionServerState:
    """What hrbot knows about one action server: the digest of the domain it last received
    (None: send the domain)."""

    def __init__(self) -> None:
        self.known_domain_digest: str | None = None


def domain_digest(domain_dict: dict[str, Any]) -> str:
    """A fingerprint of a domain's JSON (equal domains, equal digests)."""
    canonical = json.dumps(domain_dict, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RemoteAction(Action):
    """A custom action run by the action server at `endpoint`.

    `client` is the HTTP client shared by all actions of that endpoint; with `server` (shared
    too) the domain is left out of requests once the server has it."""

    def __init__(
        self,
        name: str,
        endpoint: RemoteActionEndpoint,
        client: httpx.AsyncClient,
        server: ActionServerState | None = None,
    ) -> None:
        self._name = name
        self._endpoint = endpoint
        self._client = client
        self._server = server
        self._domain_cache: tuple[Domain, dict[str, Any], str] | None = None

    @property
    def name(self) -> str:
        return self._name

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        domain_dict, digest = self._domain_payload(runtime.domain)
        payload: dict[str, Any] = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": tracker.to_dict(EventVerbosity.ALL),
            "version": RASA_PROTOCOL_VERSION,
            "domain_digest": digest,
        }
        send_domain = (
            self._server is None
            or self._server.known_domain_digest != digest
            or self._name in runtime.domain.actions_that_send_domain
        )
        if send_domain:
            payload["domain"] = domain_dict
        response = await self._post(payload)
        if response.status_code == HTTP_MISSING_DOMAIN and not send_domain:
            if self._server is not None:
                self._server.known_domain_digest = None
            payload["domain"] = domain_dict
            send_domain = True
            response = await self._post(payload)
        body = self._answer(response)
        if send_domain and self._server is not None:
            self._server.known_domain_digest = digest
        return [*self._utterances(body, tracker, runtime), *self._events(body)]

    # ------------------------------------------------------------------------------ request

    def _domain_payload(self, domain: Domain) -> tuple[dict[str, Any], str]:
        if self._domain_cache is None or self._domain_cache[0] is not domain:
            domain_dict = domain.to_dict()
            self._domain_cache = (domain, domain_dict, domain_digest(domain_dict))
        return self._domain_cache[1], self._domain_cache[2]

    async def _post(self, payload: dict[str, Any]) -> httpx.Response:
        url = self._endpoint.url
        params = {"token": self._endpoint.token} if self._endpoint.token else None
        try:
            return await self._client.post(url, json=payload, params=params, timeout=self._endpoint.timeout)
        except httpx.TimeoutException:
            raise ActionFailed(
                self._name,
                f"timed out after {self._endpoint.timeout:g} s waiting for the action server at {url}",
            ) from None
        except httpx.ConnectError as error:
            raise ActionFailed(
                self._name, f"action server unreachable at {url} ({error}); is it running?"
            ) from None
        except httpx.HTTPError as error:
            raise ActionFailed(
                self._name, f"request to the action server at {url} failed: {type(error).__name__}: {error}"
            ) from None

    # ------------------------------------------------------------------------------ answer

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        url = self._endpoint.url
        if status == 200:
            body = _json_or_none(response)
            if body is _NOT_JSON:
                raise ActionFailed(
                    self._name,
                    f"the action server at {url} answered with something that is not JSON: "
                    f"{_excerpt(response.text)}",
                )
            if body is None:
                return {}
            if not isinstance(body, dict):
                raise ActionFailed(
                    self._name,
                    f"the action server at {url} answered {_excerpt(response.text)}, "
                    "not an object with 'events' and 'responses'",
                )
            return body
        body = _json_or_none(response)
        error = body.get("error") if isinstance(body, dict) else None
        if status == 400 and isinstance(body, dict) and "action_name" in body:
            raise ActionRejected(str(body.get("action_name") or self._name), str(error or ""))
        if status == 404:
            raise ActionFailed(
                self._name,
                f"the action server does not know action {self._name}: add it to your actions "
                "package or remove it from the domain",
            )
        if status == HTTP_MISSING_DOMAIN:
            raise ActionFailed(
                self._name, f"the action server at {url} asks for the domain (HTTP 449) although it was sent"
            )
        detail = error if isinstance(error, str) and error else _excerpt(response.text)
        raise ActionFailed(self._name, f"the action server at {url} answered HTTP {status}: {detail}")

    def _events(self, body: dict[str, Any]) -> list[Event]:
        raw = body.get("events") or []
        if not isinstance(raw, list):
            raise ActionFailed(
                self._name, f"the action server's 'events' must be a list, got {_excerpt(repr(raw))}"
            )
        try:
            return events_from_dicts(raw)
        except InvalidEventError as error:
            raise ActionFailed(self._name, f"the action server returned an invalid event: {error}") from None

    def _utterances(
        self, body: dict[str, Any], tracker: DialogueStateTracker, runtime: ActionRuntime
    ) -> list[Event]:
        """Rasa's `_utter_responses`: one `bot` event per response of the answer."""
        raw = body.get("responses") or []
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise ActionFailed(self._name, "the action server's 'responses' must be a list of objects")
        events: list[Event] = []
        for item in raw:
            message = dict(item)
            template = message.pop("response", None) or message.pop("template", None)
            message.pop("template", None)
            draft: dict[str, Any] = {}
            if template:
                values = dict(message)
                rendered = runtime.responses.generate(str(template), tracker, runtime.channel, **values)
                if rendered is None:
                    continue
                draft = {**rendered, "utter_action": template}
            buttons = message.pop("buttons", None) or []
            if buttons:
                draft["buttons"] = [*(draft.get("buttons") or []), *buttons]
            draft.update({key: value for key, value in message.items() if value})
            events.append(bot_uttered(draft, timestamp=runtime.now()))
        return events


_NOT_JSON = object()


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON


def _excerpt(text: str, limit: int = 200) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")
