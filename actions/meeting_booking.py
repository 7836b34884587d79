"""The meeting booking form (intent `meeting_booking` when the employee wants a room).

`action_meeting_intent` decides between booking and listing meetings (slot
`meeting_wants_booking`, which the rules branch on) and, for a booking, pre-fills what the first
message already says, so that Rasa's form validates it at activation. `validate_meeting_form`
reads date (entity), time of day, duration and head count (text, `actions.meeting_times`) every
turn and, once all are known, checks that a room is free — else it says why, offers other start
times that day and empties `meeting_start`. `action_ask_meeting_confirmed` shows the booking and
the room it would take; `action_submit_meeting_booking` books it (OA: the smallest free room that
fits) or relays the backend's refusal, and empties the form.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SYSTEMS_DOWN_MESSAGE, EventList, HRAccess, HRAction, Query, Reply
from actions.connectors import ConnectorError
from actions.connectors.oa import MeetingInput
from actions.identity import UnknownEmployee
from actions.meeting_times import duration_in, size_in, time_range_in, wants_booking
from actions.replies import format_date, format_time_range
from actions.when import (
    SHANGHAI,
    Clock,
    DateSpan,
    latest_text,
    local_today,
    message_span,
    reference_now,
    span_of,
)

FORM_NAME = "meeting_form"
WANTS_BOOKING_SLOT = "meeting_wants_booking"
START_SLOT = "meeting_start"
DURATION_SLOT = "meeting_duration_minutes"
SIZE_SLOT = "meeting_size"
CONFIRMED_SLOT = "meeting_confirmed"
DAY_SLOT = "meeting_day"
FORM_SLOTS = (START_SLOT, DURATION_SLOT, SIZE_SLOT, CONFIRMED_SLOT, DAY_SLOT)
CONFIRM_BUTTONS = ({"title": "确认预订", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"})
NOT_BOOKED = "好的,没有预订会议室。"
MAX_MINUTES = 12 * 60
ALTERNATIVES_SHOWN = 3
_SEARCH_FROM, _SEARCH_UNTIL, _SEARCH_STEP = 9, 18, timedelta(minutes=30)

logger = logging.getLogger(__name__)


# --- reading the message -------------------------------------------------------------------

def start_of(value: Any) -> datetime | None:
    """The `meeting_start` slot ("2026-11-23T10:00:00+08:00") as a datetime; None if unset/invalid."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _number(value: Any) -> float | None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if number and value > 0 else None


def message_slots(tracker: Tracker, today: date) -> dict[str, Any]:
    """What the latest message says about the booking, merged with the slots it changes: the
    start (the message's date, else the day already chosen, else today; a date alone moves an
    already chosen time to that day), `meeting_day` when only the date is known, the duration
    (said, or the length of a said range) and the head count. Only changed values are returned."""
    text = latest_text(tracker)
    old_start = start_of(tracker.get_slot(START_SLOT))
    span = message_span(tracker) or date_in_text(text, today)
    said_day = span.start if span is not None and span.single_day else None
    if said_day is not None and said_day < today and BARE_WEEKDAY.search(text):
        said_day += timedelta(days=7)  # "周一" said on a Saturday to book a room: the coming Monday
    old_day = old_start.date() if old_start else _day(tracker.get_slot(DAY_SLOT))
    times = time_range_in(text)
    found: dict[str, Any] = {}
    day = said_day or old_day
    if times is not None:
        start = datetime.combine(day or today, times.start, tzinfo=SHANGHAI)
        found[START_SLOT] = start.isoformat()
    elif said_day is not None and old_start is not None:
        found[START_SLOT] = datetime.combine(said_day, old_start.timetz()).isoformat()
    if said_day is not None and START_SLOT not in found:
        found[DAY_SLOT] = said_day.isoformat()
    minutes = duration_in(text) or (times.minutes if times else None)
    if minutes is not None:
        found[DURATION_SLOT] = minutes
    size = size_in(text)
    if size is not None:
        found[SIZE_SLOT] = float(size)
    return {slot: value for slot, value in found.items() if tracker.get_slot(slot) != value}


BARE_WEEKDAY = re.compile(r"(?<![上下这本])(?:周|星期|礼拜)[一二三四五六日天]")


def date_in_text(text: str, today: date) -> DateSpan | None:
    """A date the NLU did not mark as an entity ("周一上午10点"), read by hrbot's normaliser."""
    from hrbot.nlu.normalise.finder import find_values

    for match in find_values(text, today, ("date",)):
        span = span_of(match.value)
        if span is not None:
            return span
    return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def describe_booking(start: datetime, minutes: float, size: float, today: date) -> str:
    """"11月23日(周一) 10:00–11:00,6人"."""
    end = start + timedelta(minutes=minutes)
    hours = format_time_range(start.time(), end.time())
    return f"{format_date(start.date(), today=today)} {hours},{int(size)}人"


# --- action_meeting_intent -------------------------------------------------------------------

class ActionMeetingIntent(Action):  # type: ignore[misc]
    """Sets `meeting_wants_booking` from the message (订/预订/预约/约个… → true; "有什么会" →
    false) for the rules to branch on; for a booking also sets what the message already says
    (pure parsing, no backend call), which Rasa's form then validates when it activates."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_meeting_intent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        booking = wants_booking(latest_text(tracker))
        events: EventList = [SlotSet(WANTS_BOOKING_SLOT, booking)]
        if booking:
            today = local_today((self._clock or reference_now)())
            events += [SlotSet(slot, value) for slot, value in message_slots(tracker, today).items()]
        return events


# --- validate_meeting_form -------------------------------------------------------------------

class ValidateMeetingForm(HRAccess, Action):  # type: ignore[misc]
    """Fills the form's slots from each message and checks the booking: a start in the past is
    refused; once start, duration and size are known a free room must exist, else the reason and
    other free start times that day are said and `meeting_start` emptied (the day is kept, so
    "那4点呢" works). A change after the summary must be confirmed anew. Returns only changes, so
    an answer that fills nothing is rejected as in Rasa."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        now = self.now()
        changes = message_slots(tracker, local_today(now))
        values = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS} | changes
        start = start_of(values[START_SLOT])
        minutes, size = _number(values[DURATION_SLOT]), _number(values[SIZE_SLOT])
        if start is not None and start < now:
            dispatcher.utter_message(text=f"{start:%m月%d日 %H:%M}已经过了,请换一个开始时间。")
            changes[START_SLOT], changes[DAY_SLOT] = None, start.date().isoformat()
            start = None
        if minutes is not None and minutes > MAX_MINUTES:
            dispatcher.utter_message(text="会议室一次最多预订12小时,请说一个短一些的时长。")
            changes[DURATION_SLOT], minutes = None, None
        if start is not None and minutes is not None and size is not None:
            problem = await self._no_room(tracker, start, minutes, int(size), now)
            if problem:
                dispatcher.utter_message(text=problem)
                changes[START_SLOT], changes[DAY_SLOT] = None, start.date().isoformat()
        if any(slot != CONFIRMED_SLOT for slot in changes) and tracker.get_slot(CONFIRMED_SLOT) is not None:
            changes[CONFIRMED_SLOT] = None  # a changed booking is confirmed anew
        return [SlotSet(slot, value) for slot, value in changes.items() if tracker.get_slot(slot) != value]

    async def _no_room(self, tracker: Tracker, start: datetime, minutes: float, size: int,
                       now: datetime) -> str | None:
        """Why no room can be booked (with other free start times that day), or None."""
        try:
            async with self.query(tracker) as query:
                oa = query.hr.oa
                end = start + timedelta(minutes=minutes)
                if (await oa.free_rooms(start, end, size)).get("free_rooms"):
                    return None
                rooms = (await oa.meeting_rooms()).get("meeting_rooms") or []
                largest = max((int(room.get("capacity") or 0) for room in rooms), default=0)
                if size > largest:
                    return (f"最大的会议室只能容纳{largest}人,没有能容纳{size}人的会议室,"
                            "请减少人数或联系行政。")
                alternatives = await _free_starts(oa, start, minutes, size, now)
        except (ConnectorError, UnknownEmployee) as error:
            return str(error.user_message)
        except Exception:
            logger.exception("checking free rooms failed for sender %s", tracker.sender_id)
            return SYSTEMS_DOWN_MESSAGE
        reason = f"该时段没有能容纳{size}人的空闲会议室,请换个时间"
        if not alternatives:
            return f"{reason}(当天{_SEARCH_FROM}点到{_SEARCH_UNTIL}点都没有合适的空闲时段)。"
        return f"{reason}。当天还有空闲的开始时间:{'、'.join(f'{t:%H:%M}' for t in alternatives)}。"


async def _free_starts(oa: Any, wanted: datetime, minutes: float, size: int, now: datetime) -> list[datetime]:
    """Up to three start times on the day of `wanted` (half-hourly, 9-18 点, nearest first) with a
    room free for the whole meeting."""
    day = wanted.date()
    moment = datetime(day.year, day.month, day.day, _SEARCH_FROM, tzinfo=SHANGHAI)
    last = datetime(day.year, day.month, day.day, _SEARCH_UNTIL, tzinfo=SHANGHAI)
    candidates = []
    while moment + timedelta(minutes=minutes) <= last:
        if moment >= now and moment != wanted:
            candidates.append(moment)
        moment += _SEARCH_STEP
    candidates.sort(key=lambda t: abs(t - wanted))
    found: list[datetime] = []
    for candidate in candidates:
        if len(found) == ALTERNATIVES_SHOWN:
            break
        answer = await oa.free_rooms(candidate, candidate + timedelta(minutes=minutes), size)
        if answer.get("free_rooms"):
            found.append(candidate)
    return sorted(found)


# --- action_ask_meeting_confirmed ------------------------------------------------------------

class ActionAskMeetingConfirmed(HRAction):
    """Asks for `meeting_confirmed` with the booking and the room it would take (the smallest free
    one that fits, as the backend picks); if none is free by now, says so and asks the time again."""

    action_name = f"action_ask_{CONFIRMED_SLOT}"

    async def answer(self, query: Query) -> Reply:
        tracker = query.tracker
        start = start_of(tracker.get_slot(START_SLOT))
        minutes, size = _number(tracker.get_slot(DURATION_SLOT)), _number(tracker.get_slot(SIZE_SLOT))
        if start is None or minutes is None or size is None:
            return Reply("请先告诉我会议的时间、时长和人数。")
        free = await query.hr.oa.free_rooms(start, start + timedelta(minutes=minutes), int(size))
        rooms = free.get("free_rooms") or []
        if not rooms:
            return Reply(f"该时段没有能容纳{int(size)}人的空闲会议室了,请换个时间。会议几点开始?",
                         events=(SlotSet(START_SLOT, None), SlotSet("requested_slot", START_SLOT)))
        room = rooms[0]
        lines = ["请确认会议室预订:",
                 f"· 时间:{describe_booking(start, minutes, size, query.today).split(',')[0]}",
                 f"· 人数:{int(size)}人",
                 f"· 会议室:{room.get('name')}(可容纳{room.get('capacity')}人)",
                 "确认预订吗?"]
        return Reply("\n".join(lines), buttons=CONFIRM_BUTTONS)


# --- action_submit_meeting_booking -----------------------------------------------------------

def _form_reset() -> EventList:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitMeetingBooking(HRAction):
    """After the form: books the confirmed meeting (OA picks the smallest free room that fits) and
    says its id and room, or relays the backend's refusal (room_conflict, no_room_available,
    start_in_past, ...); on a "no" says nothing was booked. Always empties the form's slots."""

    action_name = "action_submit_meeting_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        if tracker.get_slot(CONFIRMED_SLOT) is True and start_of(tracker.get_slot(START_SLOT)):
            events: EventList = await super().run(dispatcher, tracker, domain)
            return events + _form_reset()
        dispatcher.utter_message(text=NOT_BOOKED)
        return _form_reset()

    async def answer(self, query: Query) -> Reply:
        tracker = query.tracker
        start = start_of(tracker.get_slot(START_SLOT))
        minutes = _number(tracker.get_slot(DURATION_SLOT)) or 60.0
        size = int(_number(tracker.get_slot(SIZE_SLOT)) or 1)
        assert start is not None  # checked in run
        meeting = await query.hr.oa.book_meeting(
            MeetingInput(start=start, end=start + timedelta(minutes=minutes), title="会议", size=size))
        when = describe_booking(start, minutes, size, query.today)
        return Reply(f"已为您预订{meeting.get('room_name') or meeting.get('room_id')}:{when}"
                     f"(会议编号{meeting.get('id')})。")
