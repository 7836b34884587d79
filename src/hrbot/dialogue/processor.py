"""The message processor: one user message in, the bot's answers out.

For each message, under the sender's lock: load the conversation, start a new session when
there is none or it expired, parse the text (NLU or a `/intent` shortcut), log it, extract
slots, then ask the policies for the next action and run it until the bot listens again —
at most `max_actions_per_turn` actions, so that a loop in the stories cannot spin forever.

While a conversation is handed off to a human (the tracker is paused), the user's messages
are stored and the bot says nothing. Fallbacks, handoffs and action failures are written to
the review log.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from hrbot.actions.base import (
    Action,
    ActionFailed,
    ActionLookup,
    ActionRejected,
    ActionRuntime,
    ResponseGenerator,
)
from hrbot.actions.utterances import render
from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.dialogue.prediction import PolicyPrediction
from hrbot.dialogue.shortcuts import ShortcutError, parse_shortcut
from hrbot.dialogue.trackers import REQUESTED_SLOT, SESSION_START_METADATA_SLOT, new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import (
    ACTION_LISTEN_NAME,
    ACTION_SESSION_START_NAME,
    ActionExecuted,
    ActionExecutionRejected,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.nlu.parse_result import NLU_FALLBACK_INTENT, ExtractedEntity, IntentPrediction, ParseResult

logger = logging.getLogger(__name__)

ACTION_EXTRACT_SLOTS_NAME = "action_extract_slots"
HANDOFF_INTENT = "human_handoff"
RESTART_INTENT = "restart"
EXTERNAL_MESSAGE_PREFIX = "EXTERNAL: "
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback"})
ACTION_FAILED_RESPONSE = "utter_action_failed"


class NLUParser(Protocol):
    def parse(self, text: str, reference_time: datetime) -> ParseResult: ...


class PolicyPredictor(Protocol):
    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction: ...


class EventStore(Protocol):
    async def retrieve(self, sender_id: str) -> list[Event] | None: ...

    async def retrieve_after(self, sender_id: str, count: int) -> list[Event]: ...

    async def append(self, sender_id: str, events: Sequence[Event]) -> None: ...


class ConversationLocks(Protocol):
    def lock(self, sender_id: str) -> AbstractAsyncContextManager[Any]: ...


@dataclass(frozen=True)
class ReviewEntry:
    """Something HR should look at later: a fallback, a handoff or a failed action."""

    kind: str  # "fallback" | "handoff"
    sender_id: str
    reason: str
    text: str | None
    timestamp: float
    details: dict[str, Any] = field(default_factory=dict)


class ReviewSink(Protocol):
    async def __call__(self, entry: ReviewEntry) -> None: ...


async def _no_review(entry: ReviewEntry) -> None:
    return None


@dataclass(frozen=True)
class ProcessorSettings:
    """`max_actions_per_turn` bounds a turn (Rasa's max_number_of_predictions);
    `cached_conversations` trackers are kept between turns, so that a turn reads only the
    events other processes appended since (0 turns the cache off)."""

    max_actions_per_turn: int = 10
    cached_conversations: int = 2000


@dataclass
class TurnResult:
    """What one turn produced: the messages for the user and the tracker after it."""

    messages: list[BotMessage]
    tracker: DialogueStateTracker


class MessageProcessor:
    """Runs conversations; holds no per-conversation state of its own (all of it is in the
    tracker store), so several processes may share one store and lock store."""

    def __init__(
        self,
        *,
        domain: Domain,
        nlu: NLUParser,
        policies: PolicyPredictor,
        actions: ActionLookup,
        responses: ResponseGenerator,
        store: EventStore,
        locks: ConversationLocks,
        clock: Callable[[], datetime],
        review: ReviewSink = _no_review,
        settings: ProcessorSettings = ProcessorSettings(),
    ) -> None:
        self.domain = domain
        self.nlu = nlu
        self.policies = policies
        self.actions = actions
        self.responses = responses
        self.store = store
        self.locks = locks
        self.clock = clock
        self.review = review
        self.settings = settings
        self._recent: OrderedDict[str, DialogueStateTracker] = OrderedDict()

    # ------------------------------------------------------------------------------ public API

    async def handle_message(self, message: UserMessage) -> TurnResult:
        """Process one user message and return the bot's answers."""
        async with self._conversation(message.sender_id, message.input_channel, message.metadata) as turn:
            parse = self.parse(message.text)
            await self._user_turn(turn, parse, message)
            return turn.result()

    async def trigger_intent(
        self,
        sender_id: str,
        intent: str,
        entities: dict[str, Any] | None = None,
        input_channel: str = "rest",
    ) -> TurnResult:
        """Behave as if the user sent `intent` with `entities` (Rasa's trigger_intent)."""
        if intent not in self.domain.intent_names:
            raise ValueError(
                f"intent '{intent}' is not in the domain; use one of: "
                + ", ".join(sorted(self.domain.intent_names))
            )
        found = tuple(
            ExtractedEntity(name, 0, 0, value, "trigger_intent") for name, value in (entities or {}).items()
        )
        prediction = IntentPrediction(intent, 1.0)
        text = f"{EXTERNAL_MESSAGE_PREFIX}{intent}"  # as Rasa logs externally triggered intents
        parse = ParseResult(text, prediction, (prediction,), found)
        message = UserMessage(text, sender_id, input_channel)
        async with self._conversation(sender_id, input_channel, {}) as turn:
            await self._user_turn(turn, parse, message)
            return turn.result()

    async def tracker(self, sender_id: str) -> DialogueStateTracker:
        """The conversation as stored (an empty tracker for a new sender)."""
        events = await self.store.retrieve(sender_id)
        return new_tracker(sender_id, self.domain, events or [])

    async def _tracker_for_turn(self, sender_id: str) -> DialogueStateTracker:
        """Under the sender's lock: the cached tracker brought up to date with what was
        appended since (by this or another process), else the stored conversation."""
        cached = self._recent.pop(sender_id, None)
        if cached is None:
            return await self.tracker(sender_id)
        cached.update_with_events(await self.store.retrieve_after(sender_id, len(cached.events)))
        return cached

    def forget_cached(self) -> None:
        """Drop the cached trackers (after the store was cleared behind the processor's back)."""
        self._recent.clear()

    def _remember(self, tracker: DialogueStateTracker) -> None:
        if self.settings.cached_conversations <= 0:
            return
        self._recent[tracker.sender_id] = tracker
        while len(self._recent) > self.settings.cached_conversations:
            self._recent.popitem(last=False)

    async def append_events(self, sender_id: str, events: Sequence[Event]) -> DialogueStateTracker:
        """Add events to a conversation (HTTP API), e.g. `resume` when HR hands it back."""
        async with self._conversation(sender_id, None, {}, start_session=False) as turn:
            for event in events:
                turn.log(event)
                if isinstance(event, ConversationResumed):
                    logger.info("conversation %s returned to the bot", sender_id)
            return turn.tracker

    async def add_user_message(self, message: UserMessage) -> DialogueStateTracker:
        """Log a parsed user message without predicting (Rasa's POST .../messages)."""
        async with self._conversation(message.sender_id, message.input_channel, message.metadata) as turn:
            parse = self.parse(message.text)
            turn.log(UserUttered.from_parse_result(
                parse, timestamp=turn.now(), input_channel=message.input_channel,
                message_id=message.message_id, metadata=message.metadata,
            ))
            return turn.tracker

    def parse(self, text: str) -> ParseResult:
        """NLU for a text, or the direct parse of a `/intent{...}` shortcut."""
        try:
            shortcut = parse_shortcut(text, self.domain.intent_names)
        except ShortcutError as error:
            logger.info("shortcut not understood, parsing as text: %s", error)
            shortcut = None
        if shortcut is not None:
            return shortcut
        return self.nlu.parse(text, self.clock())

    # ----------------------------------------------------------------------------- internals

    def _conversation(
        self, sender_id: str, channel: str | None, metadata: dict[str, Any], *, start_session: bool = True
    ) -> AbstractAsyncContextManager[_Turn]:
        return _TurnScope(self, sender_id, channel, metadata, start_session)

    async def _user_turn(self, turn: _Turn, parse: ParseResult, message: UserMessage) -> None:
        turn.log(UserUttered.from_parse_result(
            parse, timestamp=turn.now(), input_channel=message.input_channel,
            message_id=message.message_id, metadata=message.metadata,
        ))
        if turn.tracker.paused and parse.intent.name != RESTART_INTENT:
            logger.info("conversation %s is with a human agent; the bot stays silent", turn.sender_id)
            turn.log(ActionExecuted(timestamp=turn.now(), name=ACTION_LISTEN_NAME, policy="paused"))
            return
        if parse.intent.name == NLU_FALLBACK_INTENT:
            await turn.record("fallback", "nlu_fallback", parse.text, {"intent_ranking": [
                item.to_dict() for item in parse.intent_ranking[:5]
            ]})
        await self._extract_slots(turn)
        await self._predict_and_run(turn)

    async def _extract_slots(self, turn: _Turn) -> None:
        try:
            action = self.actions(ACTION_EXTRACT_SLOTS_NAME)
            events = await action.run(turn.tracker, turn.runtime())
        except ActionFailed as failure:
            await self._action_failed(turn, failure)
            return
        except ActionRejected:
            return
        for event in events:
            turn.log(event)

    async def _predict_and_run(self, turn: _Turn) -> None:
        for _ in range(self.settings.max_actions_per_turn):
            prediction = self._next_action(turn.tracker)
            name = prediction.action or ACTION_LISTEN_NAME
            action = self.actions(name)
            keep_going = await self._run(turn, action, prediction)
            if keep_going and turn.tracker.paused:  # handed off: listen (to the human) from now on
                turn.log(ActionExecuted(timestamp=turn.now(), name=ACTION_LISTEN_NAME, policy="paused"))
                return
            if not keep_going:
                return
        logger.warning(
            "conversation %s: stopped after %d actions in one turn without the bot listening "
            "(a loop in the stories or rules?); last actions: %s",
            turn.sender_id, self.settings.max_actions_per_turn, ", ".join(turn.actions_run[-5:]),
        )
        turn.log(ActionExecuted(timestamp=turn.now(), name=ACTION_LISTEN_NAME, policy="circuit_breaker"))

    def _next_action(self, tracker: DialogueStateTracker) -> PolicyPrediction:
        followup = tracker.followup_action
        if followup is not None and followup != ACTION_LISTEN_NAME and not _just_rejected(tracker, followup):
            if followup in self.domain.action_names:
                return PolicyPrediction(followup, 1.0, "followup_action", 100)
            logger.warning("conversation %s: follow-up action '%s' is not in the domain; ignored",
                           tracker.sender_id, followup)
        return self.policies.predict(tracker, self.domain)

    async def _run(self, turn: _Turn, action: Action, prediction: PolicyPrediction) -> bool:
        """Run one action; True when another action should be predicted after it."""
        turn.actions_run.append(action.name)
        tracker = turn.tracker
        if prediction.events:  # the action sees what the policy added (e.g. LoopInterrupted), as in Rasa
            tracker = new_tracker(turn.sender_id, self.domain, [*tracker.events, *prediction.events])
        try:
            events = await action.run(tracker, turn.runtime())
        except ActionRejected as rejection:
            logger.info("conversation %s: %s", turn.sender_id, rejection)
            turn.log(ActionExecutionRejected(
                timestamp=turn.now(), name=action.name, policy=prediction.policy,
                confidence=prediction.confidence,
            ))
            return True
        except ActionFailed as failure:
            await self._action_failed(turn, failure)
            return False
        if any(isinstance(event, ActionExecutionRejected) for event in events):
            # the action rejected itself (a FormValidationAction rejecting the form): as Rasa,
            # it is not logged as executed and the policies are asked again
            for event in events:
                turn.log(event)
            return True
        for event in prediction.events:
            turn.log(event)
        turn.log(ActionExecuted(
            timestamp=turn.now(), name=action.name, policy=prediction.policy,
            confidence=prediction.confidence, hide_rule_turn=prediction.hide_rule_turn,
        ))
        for event in events:
            turn.log(event)
        if _undid_the_message(events):
            # the user's message was taken back (action_default_fallback): wait for a new one
            turn.log(ActionExecuted(timestamp=turn.now(), name=ACTION_LISTEN_NAME, policy=prediction.policy))
            await self._record_after(turn, action.name, events)
            return False
        if any(isinstance(event, UserUttered) for event in events):
            await self._extract_slots(turn)  # a re-added user message may fill slots, as in Rasa
        await self._record_after(turn, action.name, events)
        return action.name not in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME)

    async def _record_after(self, turn: _Turn, action: str, events: list[Event]) -> None:
        """Review entries for a fallback or a handoff the action caused."""
        if action in FALLBACK_ACTIONS:
            await turn.record("fallback", action, turn.user_text, {})
        paused = next((e for e in events if isinstance(e, ConversationPaused)), None)
        if paused is not None:
            reason = str(paused.metadata.get("handoff_reason", "requested"))
            await turn.record("handoff", reason, turn.user_text, dict(paused.metadata))

    async def _action_failed(self, turn: _Turn, failure: ActionFailed) -> None:
        logger.error("conversation %s: %s", turn.sender_id, failure)
        forms = self.domain.form_names
        in_form = failure.action in forms or failure.action in {f"validate_{form}" for form in forms}
        if turn.tracker.active_loop is not None or in_form:
            # what this message put into the form was never validated: take it back, so that
            # an unchecked value cannot be submitted later
            for event in _unvalidated_slot_reverts(turn.tracker, self.domain):
                turn.log(event)
        message = render(ACTION_FAILED_RESPONSE, turn.tracker, turn.runtime()) or {}
        data = {k: v for k, v in message.items() if k != "text"}
        if ACTION_FAILED_RESPONSE not in self.domain.responses and HANDOFF_INTENT in self.domain.intent_names:
            data["buttons"] = [{"title": "转人工", "payload": f"/{HANDOFF_INTENT}"}]
        turn.log(BotUttered(
            timestamp=turn.now(), text=message.get("text"), data=data,
            metadata={"action_failed": failure.action, "reason": failure.reason},
        ))
        await turn.record("fallback", "action_failed", turn.user_text,
                          {"action": failure.action, "error": failure.reason})
        turn.log(ActionExecuted(timestamp=turn.now(), name=ACTION_LISTEN_NAME, policy="action_failed"))


class _Turn:
    """The state of one turn under the sender's lock: the tracker and the new events."""

    def __init__(self, processor: MessageProcessor, sender_id: str, channel: str | None,
                 tracker: DialogueStateTracker) -> None:
        self.processor = processor
        self.sender_id = sender_id
        self.channel = channel
        self.tracker = tracker
        self.new_events: list[Event] = []
        self.actions_run: list[str] = []
        self.user_text: str | None = None
        self.reviews: list[ReviewEntry] = []

    def now(self) -> float:
        return self.processor.clock().timestamp()

    def log(self, event: Event) -> None:
        if event.timestamp is None:
            event = event.with_timestamp(self.now())
        if isinstance(event, UserUttered) and self.user_text is None:
            self.user_text = event.text
        self.tracker.update(event)
        self.new_events.append(event)

    def runtime(self) -> ActionRuntime:
        return ActionRuntime(
            domain=self.processor.domain,
            responses=self.processor.responses,
            action_for=self.processor.actions,
            now=self.now,
            channel=self.channel,
        )

    async def record(self, kind: str, reason: str, text: str | None, details: dict[str, Any]) -> None:
        self.reviews.append(ReviewEntry(kind, self.sender_id, reason, text, self.now(), details))

    def result(self) -> TurnResult:
        messages = [
            BotMessage(event.text, dict(event.data))
            for event in self.new_events
            if isinstance(event, BotUttered)
        ]
        return TurnResult(messages, self.tracker)


class _TurnScope(AbstractAsyncContextManager[_Turn]):
    """Lock the sender, load the tracker, start a session if due; on exit save new events
    (also when the turn failed half-way: what happened is kept) and write review entries."""

    def __init__(self, processor: MessageProcessor, sender_id: str, channel: str | None,
                 metadata: dict[str, Any], start_session: bool) -> None:
        self.processor = processor
        self.sender_id = sender_id
        self.channel = channel
        self.metadata = metadata
        self.start_session = start_session
        self._lock: AbstractAsyncContextManager[Any] | None = None
        self._turn: _Turn | None = None

    async def __aenter__(self) -> _Turn:
        self._lock = self.processor.locks.lock(self.sender_id)
        await self._lock.__aenter__()
        try:
            tracker = await self.processor._tracker_for_turn(self.sender_id)
            channel = self.channel or tracker.latest_input_channel
            turn = _Turn(self.processor, self.sender_id, channel, tracker)
            self._turn = turn
            if self.start_session and _session_due(tracker, self.processor.domain, turn.now()):
                await _start_session(turn, self.metadata)
            return turn
        except BaseException:
            await self._lock.__aexit__(None, None, None)
            raise

    async def __aexit__(self, *exc: Any) -> None:
        assert self._lock is not None and self._turn is not None
        try:
            if self._turn.new_events:
                await self.processor.store.append(self.sender_id, self._turn.new_events)
            self.processor._remember(self._turn.tracker)  # only once the store has every event
            for entry in self._turn.reviews:
                try:
                    await self.processor.review(entry)
                except Exception:  # the review log must never lose the conversation
                    logger.exception("could not write review entry for %s", self.sender_id)
        finally:
            await self._lock.__aexit__(*exc)


def _session_due(tracker: DialogueStateTracker, domain: Domain, now: float) -> bool:
    if not tracker.events:
        return True
    if tracker.paused:  # a human has the conversation; an hour's wait must not end the handoff
        return False
    minutes = domain.session_config.session_expiration_time
    if minutes <= 0:
        return False
    latest_user = next(
        (e for e in reversed(tracker.events) if isinstance(e, UserUttered) and e.timestamp is not None), None
    )
    if latest_user is None or latest_user.timestamp is None:
        return False
    return now - latest_user.timestamp > minutes * 60


async def _start_session(turn: _Turn, metadata: dict[str, Any]) -> None:
    """Rasa's session start: the channel's metadata goes into `session_started_metadata`
    (which action_session_start carries into the new session), then the action runs."""
    action = turn.processor.actions(ACTION_SESSION_START_NAME)
    if metadata:
        turn.log(SlotSet(timestamp=turn.now(), name=SESSION_START_METADATA_SLOT, value=metadata))
    turn.log(ActionExecuted(timestamp=turn.now(), name=ACTION_SESSION_START_NAME, policy=None))
    for event in await action.run(turn.tracker, turn.runtime()):
        turn.log(event)


def _just_rejected(tracker: DialogueStateTracker, action: str) -> bool:
    latest = tracker.events[-1] if tracker.events else None
    return isinstance(latest, ActionExecutionRejected) and latest.name == action


def _unvalidated_slot_reverts(tracker: DialogueStateTracker, domain: Domain) -> list[Event]:
    """`slot` events restoring every slot set since the latest user message to its value
    before that message."""
    events = list(tracker.events)
    latest_user = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=None)
    if latest_user is None:
        return []
    changed = {e.name for e in events[latest_user + 1:] if isinstance(e, SlotSet)}
    changed.discard(REQUESTED_SLOT)
    if not changed:
        return []
    before = new_tracker(tracker.sender_id, domain, events[:latest_user])
    return [
        SlotSet(timestamp=None, name=name, value=before.get_slot(name))
        for name in sorted(changed)
        if before.get_slot(name) != tracker.get_slot(name)
    ]


def _undid_the_message(events: list[Event]) -> bool:
    """Whether the action took the user's message back without putting one in its place."""
    reverted = max((i for i, e in enumerate(events) if isinstance(e, UserUtteranceReverted)), default=None)
    return reverted is not None and not any(isinstance(e, UserUttered) for e in events[reverted:])
