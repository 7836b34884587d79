"""`HRAction`: the shape every query action shares.

It resolves the sender to the verified employee, opens a connection to the HR systems, lets the
subclass compose its answer from an `HRSession` acting for that employee, and sends the answer.
Whatever goes wrong becomes a message the employee can act on — the connector's own
`user_message` for `ConnectorError`s, the identity module's for an unknown sender — and never an
exception out of the action (which would leave the employee with no reply at all).

Tests inject `client_factory` (a client over `httpx.ASGITransport` to the demo backend) and
`clock`; the action server uses `connect()` and $HRBOT_REFERENCE_TIME / the real time.
"""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.connectors import (
    ConfigError,
    ConnectorError,
    HRSession,
    HRSystemsClient,
    NotAuthorized,
    NotFound,
    connect,
)
from actions.identity import Employee, IdentityResolver, UnknownEmployee, UnsupportedChannel, employee_of
from actions.subject import ABOUT_SLOT, SELF, Mention, Subject, mention_of, refusal, visible_match
from actions.when import Clock, local_today, reference_now

ClientFactory = Callable[[], HRSystemsClient]
EventList = list[dict[str, Any]]

HUMAN_HANDOFF_BUTTON: dict[str, str] = {"title": "转人工", "payload": "/human_handoff"}
SYSTEMS_DOWN_MESSAGE = "抱歉,人事相关系统暂时无法使用,这次没能查到结果。请稍后再试,或转人工HR处理。"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """What an action answers: one message (text and optional buttons) and the events it returns."""

    text: str
    buttons: Sequence[dict[str, str]] = ()
    events: Sequence[dict[str, Any]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Query:
    """Everything an answer is composed from: the employee, their HR systems, the conversation
    and the reference time."""

    employee: Employee
    hr: HRSession
    tracker: Tracker
    now: datetime
    subject: Subject = SELF
    """Whom the question is about: the employee asking, or someone they may see."""

    @property
    def today(self) -> date:
        return local_today(self.now)


class HRAccess:
    """How an action reaches the HR systems as the verified employee: `client_factory` and
    `clock` are injected in tests; served, it is `connect()` and `reference_now`. Mixed into
    every HR action and form validator."""

    def __init__(
        self,
        client_factory: ClientFactory | None = None,
        *,
        resolver: IdentityResolver | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._resolver = resolver or IdentityResolver()
        self._clock = clock

    # The action server may pickle its actions into worker processes: the resolver holds a lock
    # and is recreated there (its cache is only a cache).
    def __getstate__(self) -> dict[str, Any]:
        return {"client_factory": self._client_factory, "clock": self._clock}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._client_factory = state["client_factory"]
        self._clock = state["clock"]
        self._resolver = IdentityResolver()

    def now(self) -> datetime:
        return (self._clock or reference_now)()

    def today(self) -> date:
        return local_today(self.now())

    @asynccontextmanager
    async def query(self, tracker: Tracker) -> AsyncIterator[Query]:
        """A connection to the HR systems acting for the employee the channel names."""
        now = self.now()
        async with (self._client_factory or connect)() as client:
            employee = await employee_of(tracker, client, self._resolver)
            yield Query(employee=employee, hr=HRSession(client, employee.employee_id), tracker=tracker,
                        now=now)


class HRAction(HRAccess, Action, metaclass=ABCMeta):  # type: ignore[misc]
    """A read-only answer from the HR systems for the verified employee. Subclasses set
    `action_name` and implement `answer`. Abstract, so rasa_sdk's executor, which registers
    every concrete `Action` subclass it finds, does not register this base.

    Query actions name their `topic` ("工资信息"): a question to them that names someone else
    (see `actions.subject`) is answered only by those that set `answers_about_others` and read
    `query.subject`, and only for people HRM lets the asker see; everyone else gets the same
    refusal naming the topic. Actions without a topic (forms, hiring) don't look for names."""

    action_name: ClassVar[str] = ""
    topic: ClassVar[str | None] = None
    answers_about_others: ClassVar[bool] = False

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    async def answer(self, query: Query) -> Reply:
        """The reply for the employee of `query`; ConnectorErrors may propagate."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        try:
            reply = await self._answer(tracker)
        except (ConnectorError, UnknownEmployee) as error:
            dispatcher.utter_message(text=error.user_message)
            return []
        except (ConfigError, UnsupportedChannel) as error:
            logger.error("%s cannot reach the HR systems: %s", self.action_name, error)
            dispatcher.utter_message(text=SYSTEMS_DOWN_MESSAGE, buttons=[dict(HUMAN_HANDOFF_BUTTON)])
            return []
        except Exception:
            logger.exception("%s failed for sender %s", self.action_name, tracker.sender_id)
            dispatcher.utter_message(text=SYSTEMS_DOWN_MESSAGE, buttons=[dict(HUMAN_HANDOFF_BUTTON)])
            return []
        if reply.buttons:
            dispatcher.utter_message(text=reply.text, buttons=[dict(b) for b in reply.buttons])
        else:
            dispatcher.utter_message(text=reply.text)
        return [dict(event) for event in reply.events]

    async def _answer(self, tracker: Tracker) -> Reply:
        async with self.query(tracker) as query:
            mention = mention_of(tracker, query.employee) if self.topic else None
            if mention is None:
                return _about(await self.answer(query), tracker, None)
            return await self._answer_about(query, mention)

    async def _answer_about(self, query: Query, mention: Mention) -> Reply:
        """The answer about the person `mention` names, or the one refusal for everyone the asker
        may not see (unknown names, people outside their team, data outside its scope)."""
        topic = self.topic or "人事信息"
        refused = _about(Reply(refusal(mention, query.employee)), query.tracker, None)
        if not self.answers_about_others:
            return refused
        if mention.team and not (mention.name or mention.employee_id):
            if not (query.employee.is_manager or query.employee.is_hr):
                return refused
            return Reply(f"请告诉我是哪位同事(姓名或工号),我来查{topic}。")
        wanted = query.employee.manager_id if mention.manager else mention.employee_id or mention.name
        if not wanted:
            return refused
        found = visible_match(await query.hr.hrm.find_employees(wanted), mention if not mention.manager
                              else Mention(employee_id=wanted))
        if not found:
            return refused
        if len(found) > 1:
            choices = "、".join(f"{row.get('name')}({row.get('department')},工号{row.get('id')})"
                               for row in found)
            return Reply(f"有{len(found)}位同事叫{mention.words}:{choices}。请告诉我工号。")
        person = found[0]
        if person.get("id") == query.employee.employee_id:
            return _about(await self.answer(query), query.tracker, None)
        subject = Subject(employee_id=str(person.get("id")), name=str(person.get("name") or wanted))
        try:
            reply = await self.answer(replace(query, subject=subject))
        except (NotFound, NotAuthorized):
            return refused
        return _about(reply, query.tracker, subject.employee_id)


def _about(reply: Reply, tracker: Tracker, employee_id: str | None) -> Reply:
    """`reply` with the `about_employee` slot set to whom it answered, when that changed."""
    if tracker.get_slot(ABOUT_SLOT) == employee_id:
        return reply
    return replace(reply, events=(*reply.events, SlotSet(ABOUT_SLOT, employee_id)))
