"""The meeting booking flow: parsing times, durations and head counts from the text, and the
form's actions against the demo backend in-process (clock: Saturday 2026-11-21 10:00). On Monday
2026-11-23 the 30-person room 501大会议室 is booked 17:00-18:00; the others are free."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.connectors import HRSession
from actions.meeting_booking import (
    FORM_SLOTS,
    ActionAskMeetingConfirmed,
    ActionMeetingIntent,
    ActionSubmitMeetingBooking,
    ValidateMeetingForm,
)
from actions.meeting_times import TimeRange, duration_in, size_in, time_range_in, wants_booking
from connector_support import REPO, backend_app, in_process_client, run
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from test_query_support import Answer, reference_now

MONDAY = "2026-11-23"


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("下午3点", TimeRange(time(15, 0))),
    ("15:00", TimeRange(time(15, 0))),
    ("10点半", TimeRange(time(10, 30))),
    ("周一上午10点,6个人", TimeRange(time(10, 0))),
    ("三点一刻", TimeRange(time(15, 15))),
    ("两点到三点", TimeRange(time(14, 0), time(15, 0))),
    ("下午两点到三点半", TimeRange(time(14, 0), time(15, 30))),
    ("3-4点", TimeRange(time(15, 0), time(16, 0))),
    ("上午9:30到11:00", TimeRange(time(9, 30), time(11, 0))),
    ("2026-11-23 9点", TimeRange(time(9, 0))),
    ("帮我订明天下午的会议室", None),
    ("11月23日", None),
])
def test_times_of_day_are_read_from_the_text(text: str, expected: TimeRange | None) -> None:
    assert time_range_in(text) == expected


@pytest.mark.parametrize(("text", "minutes"), [
    ("一个小时", 60.0), ("半小时", 30.0), ("一个半小时", 90.0), ("1.5小时", 90.0), ("两个小时", 120.0),
    ("45分钟", 45.0), ("明天下午3点", None),
])
def test_durations_are_read_in_minutes(text: str, minutes: float | None) -> None:
    assert duration_in(text) == minutes


@pytest.mark.parametrize(("text", "size"), [
    ("6个人", 6), ("6人", 6), ("十个人", 10), ("12位", 12), ("下午3点", None),
])
def test_head_counts_are_read(text: str, size: int | None) -> None:
    assert size_in(text) == size


@pytest.mark.parametrize(("text", "booking"), [
    ("帮我订明天下午的会议室", True), ("订个会议室,周一上午10点,6个人", True), ("预约一个会议室", True),
    ("今天有什么会", False), ("我明天订了哪些会", False),
])
def test_booking_is_told_from_asking_about_meetings(text: str, booking: bool) -> None:
    assert wants_booking(text) is booking


# --- the actions -------------------------------------------------------------------------------

def domain() -> dict[str, Any]:
    text = (REPO / "actions" / "meeting_booking_domain.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    fragment: dict[str, Any] = yaml.safe_load(block.group(1))
    return fragment


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[Any]:
    with backend_app(tmp_path / "b.db") as served:
        yield served


def form_tracker(slots: Mapping[str, Any] | None = None, *, text: str = "订会议室",
                 intent: str = "meeting_booking", day: str | None = None, sender: str = "E1008") -> Tracker:
    entities = [{"entity": "date", "value": day}] if day else []
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
    all_slots = {**{slot: None for slot in FORM_SLOTS}, "requested_slot": None, **dict(slots or {})}
    return Tracker(sender, all_slots, message, [{"event": "user", "text": text, "parse_data": message}],
                   False, None, {"name": "meeting_form"}, "action_listen")


def act(app: Any, action_class: type[Action], tracker: Tracker) -> Answer:
    if action_class is ActionMeetingIntent:
        action = ActionMeetingIntent(clock=reference_now)
    else:
        action = action_class(lambda: in_process_client(app), clock=reference_now)
    dispatcher = CollectingDispatcher()
    events = run(action.run(dispatcher, tracker, domain()))
    return Answer(messages=dispatcher.messages, events=events)


def meetings_on(app: Any, day: str) -> list[dict[str, Any]]:
    async def fetch() -> list[dict[str, Any]]:
        async with in_process_client(app) as client:
            answer = await HRSession(client, "E1008").oa.meetings(date.fromisoformat(day))
            return list(answer["meetings"])
    return run(fetch())


def test_the_intent_action_pre_fills_what_the_first_message_says(app: Any) -> None:
    answer = act(app, ActionMeetingIntent, form_tracker(text="订个会议室,周一上午10点,6个人", day=MONDAY))

    assert answer.slot("meeting_wants_booking") is True
    assert answer.slot("meeting_start") == "2026-11-23T10:00:00+08:00"
    assert answer.slot("meeting_size") == 6.0


def test_a_question_about_meetings_is_not_a_booking(app: Any) -> None:
    answer = act(app, ActionMeetingIntent, form_tracker(text="今天有什么会"))

    assert answer.slot("meeting_wants_booking") is False
    assert len(answer.events) == 1


def test_a_date_without_a_time_is_kept_for_the_time_said_next(app: Any) -> None:
    first = act(app, ValidateMeetingForm, form_tracker(text="帮我订明天下午的会议室", day="2026-11-22"))
    assert first.slot("meeting_day") == "2026-11-22"

    second = act(app, ValidateMeetingForm, form_tracker({"meeting_day": "2026-11-22"}, text="3点"))
    assert second.slot("meeting_start") == "2026-11-22T15:00:00+08:00"


def test_a_range_gives_the_duration(app: Any) -> None:
    answer = act(app, ValidateMeetingForm, form_tracker(text="周一两点到三点半", day=MONDAY))

    assert answer.slot("meeting_start") == "2026-11-23T14:00:00+08:00"
    assert answer.slot("meeting_duration_minutes") == 90.0


def test_without_a_free_room_the_start_is_emptied_with_the_reason_and_other_times(app: Any) -> None:
    slots = {"meeting_start": "2026-11-23T17:00:00+08:00", "meeting_duration_minutes": 60.0}
    answer = act(app, ValidateMeetingForm, form_tracker(slots, text="20个人", intent="inform"))

    assert "该时段没有能容纳20人的空闲会议室" in answer.text and "当天还有空闲的开始时间" in answer.text
    assert answer.slot("meeting_start") is None
    assert answer.slot("meeting_day") == MONDAY


def test_a_start_in_the_past_is_refused(app: Any) -> None:
    answer = act(app, ValidateMeetingForm, form_tracker(text="今天上午9点", day="2026-11-21"))

    assert "已经过了" in answer.text
    assert all(e.get("name") != "meeting_start" or e["value"] is None for e in answer.events)


def test_the_confirmation_shows_time_size_and_the_smallest_room_that_fits(app: Any) -> None:
    slots = {"meeting_start": "2026-11-23T10:00:00+08:00", "meeting_duration_minutes": 60.0,
             "meeting_size": 6.0}
    answer = act(app, ActionAskMeetingConfirmed, form_tracker(slots))

    assert "11月23日(周一) 10:00–11:00" in answer.text and "6人" in answer.text
    assert "301会议室" in answer.text
    assert [b["payload"] for b in answer.buttons] == ["/affirm", "/deny"]


def test_a_confirmed_booking_is_made_and_shows_in_the_meetings(app: Any) -> None:
    slots = {"meeting_start": "2026-11-23T10:00:00+08:00", "meeting_duration_minutes": 60.0,
             "meeting_size": 6.0, "meeting_confirmed": True}
    answer = act(app, ActionSubmitMeetingBooking, form_tracker(slots, intent="affirm"))

    booked = [m for m in meetings_on(app, MONDAY) if m["start"].startswith("2026-11-23T10:00")]
    assert len(booked) == 1 and booked[0]["room_id"] == "R301"
    assert "已为您预订301会议室" in answer.text and str(booked[0]["id"]) in answer.text
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_a_refusal_is_relayed_and_the_form_emptied(app: Any) -> None:
    slots = {"meeting_start": "2026-11-23T17:00:00+08:00", "meeting_duration_minutes": 60.0,
             "meeting_size": 20.0, "meeting_confirmed": True}
    answer = act(app, ActionSubmitMeetingBooking, form_tracker(slots, intent="affirm"))

    assert "没有能容纳20人的空闲会议室" in answer.text
    for slot in FORM_SLOTS:
        assert answer.slot(slot) is None


def test_an_unconfirmed_booking_books_nothing(app: Any) -> None:
    slots = {"meeting_start": "2026-11-23T10:00:00+08:00", "meeting_duration_minutes": 60.0,
             "meeting_size": 6.0, "meeting_confirmed": False}
    before = meetings_on(app, MONDAY)
    answer = act(app, ActionSubmitMeetingBooking, form_tracker(slots, intent="deny"))

    assert answer.text == "好的,没有预订会议室。"
    assert meetings_on(app, MONDAY) == before



def test_a_weekday_the_nlu_missed_is_read_from_the_text_and_means_the_coming_one() -> None:
    from datetime import date

    from actions.meeting_booking import BARE_WEEKDAY, date_in_text

    saturday = date(2026, 11, 21)
    span = date_in_text("帮我订个会议室,周一上午10点,6个人", saturday)
    assert span is not None and span.start == date(2026, 11, 16)  # this week's Monday, as said
    assert BARE_WEEKDAY.search("周一上午10点") and not BARE_WEEKDAY.search("上周一")
    assert date_in_text("订个会议室", saturday) is None


def test_a_bare_weekday_books_the_coming_one_not_the_past_one() -> None:
    from datetime import date

    from actions.meeting_booking import message_slots

    tracker = form_tracker(text="帮我订个会议室,周一上午10点,6个人")
    found = message_slots(tracker, date(2026, 11, 21))
    assert found["meeting_start"].startswith("2026-11-23T10:00")
    assert found["meeting_size"] == 6.0
