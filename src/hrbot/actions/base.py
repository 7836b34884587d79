"""The action interface every built-in, response, form and remote action implements.

An action reads the tracker and returns the events it causes. Messages for the user are
`BotUttered` events among them; the processor applies the events to the tracker and delivers
the messages to the channel. Actions never touch stores, channels or HTTP requests of the
caller."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import Event
from hrbot.shared.core.tracker import DialogueStateTracker


class ResponseGenerator(Protocol):
    """Renders a domain response (`utter_*`) for a conversation, or None when the domain has
    no variation that fits (conditions, channel). The dict is Rasa's bot-message shape:
    `text`, `buttons`, `image`, `custom`, `attachment`, `quick_replies`, `elements`."""

    def generate(
        self, name: str, tracker: DialogueStateTracker, channel: str | None, /, **kwargs: Any
    ) -> dict[str, Any] | None: ...


class ActionLookup(Protocol):
    """Finds the action for a name (built-in, response, form or remote)."""

    def __call__(self, name: str) -> Action: ...


@dataclass(frozen=True)
class ActionRuntime:
    """What an action may use while it runs.

    `now` gives the time in epoch seconds for event timestamps; `channel` is the input channel
    of the conversation (for channel-specific responses); `action_for` finds other actions
    (a form runs `action_ask_<slot>` and `validate_<form>` through it)."""

    domain: Domain
    responses: ResponseGenerator
    action_for: ActionLookup
    now: Callable[[], float]
    channel: str | None = None


class Action(ABC):
    """One action of the domain."""

    @property
    @abstractmethod
    def name(self) -> str:
        """The action's name as stories and policies use it."""

    @abstractmethod
    async def run(self, tracker: DialogueStateTracker, runtime: ActionRuntime) -> list[Event]:
        """Run against `tracker` (do not modify it) and return the events this causes.

        Raises `ActionFailed` when the action could not be carried out at all (the action
        server is down, slow or broken); the processor then tells the user and offers a human."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ActionFailed(Exception):
    """An action could not run: `reason` says why in words for logs and review
    ("action server unreachable at http://...", "timed out after 10 s", "HTTP 500")."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"action '{action}' failed: {reason}")
        self.action = action
        self.reason = reason


class ActionRejected(Exception):
    """The action refused to run (action server HTTP 400, e.g. a form that could not
    extract the requested slot); the processor adds `ActionExecutionRejected` and asks the
    policies again."""

    def __init__(self, action: str, message: str = "") -> None:
        super().__init__(f"action '{action}' rejected execution{': ' + message if message else ''}")
        self.action = action
        self.message = message
