"""Meeting rooms: capacity and no double booking.

A room fits a meeting when its capacity is at least the meeting's size (the attendees plus the
organizer, or the ``size`` asked for if larger). Two meetings in one room clash when their times
overlap; back-to-back meetings do not. Meetings cannot be booked in the past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hr_backend.clock import to_company_time
from hr_backend.errors import Problem

JSON = dict[str, Any]


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime

    def clashes(self, other: Slot) -> bool:
        return self.start < other.end and other.start < self.end

    @classmethod
    def of(cls, meeting: JSON) -> Slot:
        return cls(
            to_company_time(datetime.fromisoformat(meeting["start"])),
            to_company_time(datetime.fromisoformat(meeting["end"])),
        )


def clash(room_id: str, slot: Slot, meetings: list[JSON]) -> JSON | None:
    """The first meeting in ``room_id`` that overlaps ``slot``."""
    return next((m for m in meetings if m["room_id"] == room_id and Slot.of(m).clashes(slot)), None)


def free_rooms(rooms: list[JSON], meetings: list[JSON], slot: Slot, size: int) -> list[JSON]:
    """Rooms that hold ``size`` people and are free during ``slot``, smallest first."""
    fitting = [
        room for room in rooms if int(room["capacity"]) >= size and clash(room["id"], slot, meetings) is None
    ]
    return sorted(fitting, key=lambda room: (int(room["capacity"]), str(room["id"])))


def slot_problems(slot: Slot, now: datetime) -> list[Problem]:
    if slot.end <= slot.start:
        return [Problem("invalid_span", "会议结束时间须晚于开始时间")]
    if slot.start < now:
        return [
            Problem("start_in_past", f"会议开始时间{slot.start.isoformat(timespec='minutes')}已过,不能预订")
        ]
    return []


def room_problems(room: JSON, slot: Slot, size: int, meetings: list[JSON]) -> list[Problem]:
    """Why ``room`` cannot take ``size`` people during ``slot``: too small, or already booked."""
    problems = []
    if size > int(room["capacity"]):
        problems.append(
            Problem("room_too_small", f"{room['name']}最多容纳{room['capacity']}人,本次会议{size}人")
        )
    taken = clash(str(room["id"]), slot, meetings)
    if taken is not None:
        start, end = Slot.of(taken).start, Slot.of(taken).end
        problems.append(
            Problem(
                "room_conflict",
                f"{room['name']}在{start:%Y-%m-%d %H:%M}-{end:%H:%M}已被预订,请换个时间或会议室",
            )
        )
    return problems


def pick_room(
    rooms: list[JSON], meetings: list[JSON], slot: Slot, size: int, room_id: str | None, now: datetime
) -> tuple[JSON | None, list[Problem]]:
    """The room to book (the one asked for, else the smallest free one that fits) and what forbids it."""
    problems = slot_problems(slot, now)
    if problems:
        return None, problems
    if room_id is None:
        free = free_rooms(rooms, meetings, slot, size)
        if not free:
            return None, [Problem("no_room_available", f"该时段没有能容纳{size}人的空闲会议室,请换个时间")]
        return free[0], []
    room = next(room for room in rooms if room["id"] == room_id)
    return room, room_problems(room, slot, size, meetings)
