"""Finding the action for a name, as Rasa's `action_for_name_or_text` does.

In order: a default action (unless the domain lists a custom action of that name, which then
replaces it, as in Rasa), `action_extract_slots`, the two-stage fallback and hrbot's
`action_human_handoff`; an `utter_*` response; an end-to-end bot text; a form (unless a
custom action of the same name replaces it); anything else is a custom action on the action
server — or, when endpoints.yml configures none, an action that fails saying so.

Actions are created once per name and kept. All custom actions share one HTTP client (close it
with `aclose()` when shutting down)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from hrbot.actions.base import Action, ActionFailed, ActionRuntime
from hrbot.actions.builtin import (
    BUILTIN_ACTIONS,
    ActionDefaultAskAffirmation,
    EndToEndResponseAction,
    ResponseAction,
)
from hrbot.actions.fallback import TwoStageFallbackAction
from hrbot.actions.forms import FormAction
from hrbot.actions.handoff import HumanHandoffAction
from hrbot.actions.names import (
    ACTION_DEFAULT_ASK_AFFIRMATION,
    ACTION_EXTRACT_SLOTS,
    ACTION_HUMAN_HANDOFF,
    ACTION_TWO_STAGE_FALLBACK,
    UTTER_PREFIX,
)
from hrbot.actions.remote import ActionServerState, RemoteAction, RemoteActionEndpoint
from hrbot.actions.slot_extraction import ActionExtractSlots
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import Event
from hrbot.shared.core.tracker import DialogueStateTracker


class UnconfiguredRemoteAction(Action):
    """A custom action without an action server to run it: fails with what to do."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        raise ActionFailed(
            self._name, f"no action_endpoint configured in endpoints.yml for custom action {self._name}"
        )


class ActionResolver:
    """The `ActionLookup` of a domain: `resolver(name)` gives the action for `name`.

    `transport` replaces httpx's network transport (tests); `intent_titles` gives readable
    button titles for the intents the affirmation question offers; with
    `omit_known_domain=False` every request to the action server carries the domain (for
    action servers older than rasa_sdk 3.7, which do not ask for it with HTTP 449)."""

    def __init__(
        self,
        domain: Domain,
        endpoint: RemoteActionEndpoint | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        intent_titles: Mapping[str, str] | None = None,
        omit_known_domain: bool = True,
    ) -> None:
        self._domain = domain
        self._endpoint = endpoint
        self._transport = transport
        self._intent_titles = dict(intent_titles or {})
        self._server = ActionServerState() if omit_known_domain else None
        self._client: httpx.AsyncClient | None = None
        self._actions: dict[str, Action] = {}

    def __call__(self, name: str) -> Action:
        action = self._actions.get(name)
        if action is None:
            action = self._actions[name] = self._create(name)
        return action

    async def aclose(self) -> None:
        """Close the HTTP client of the action server (if one was opened)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _create(self, name: str) -> Action:
        domain = self._domain
        custom = name in domain.actions
        if not custom:
            if name == ACTION_DEFAULT_ASK_AFFIRMATION:
                return ActionDefaultAskAffirmation(self._intent_titles)
            if name in BUILTIN_ACTIONS:
                return BUILTIN_ACTIONS[name]()
            if name == ACTION_EXTRACT_SLOTS:
                return ActionExtractSlots()
            if name == ACTION_TWO_STAGE_FALLBACK:
                return TwoStageFallbackAction()
            if name == ACTION_HUMAN_HANDOFF:
                return HumanHandoffAction()
        if name.startswith(UTTER_PREFIX) and (name in domain.responses or not custom):
            return ResponseAction(name)
        if not custom and name in domain.e2e_actions:
            return EndToEndResponseAction(name)
        if not custom and name in domain.form_names:
            return FormAction(name)
        return self._remote(name)

    def _remote(self, name: str) -> Action:
        if self._endpoint is None:
            return UnconfiguredRemoteAction(name)
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self._transport, timeout=self._endpoint.timeout)
        return RemoteAction(name, self._endpoint, self._client, self._server)
