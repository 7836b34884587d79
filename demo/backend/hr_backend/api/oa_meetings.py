"""OA: meeting rooms and meetings — free rooms for a time and size, booking without clashes."""

from __future__ import annotations

from dataclasses import dataclass

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import DATE, DATETIME, EMPLOYEE_ID, INTEGER, Endpoint, Param
from hr_backend.api.params import Body, query_date, query_datetime, query_int
from hr_backend.api.views import JSON, person
from hr_backend.errors import invalid, not_found, violation
from hr_backend.policy.access import Scope
from hr_backend.policy.rooms import Slot, free_rooms, pick_room

MAX_SIZE = 500


def _room_names(call: Call) -> dict[str, str]:
    return {str(r["id"]): str(r["name"]) for r in call.backend.dataset.rows("meeting_rooms")}


def _view(call: Call, meeting: JSON) -> JSON:
    return {
        **meeting,
        "room_name": _room_names(call).get(str(meeting["room_id"])),
        "organizer": person(call.backend.dataset, meeting.get("organizer_id")),
    }


def _involves(meeting: JSON, employee_id: str) -> bool:
    return meeting.get("organizer_id") == employee_id or employee_id in meeting.get("attendee_ids", [])


def list_rooms(call: Call) -> JSON:
    return {"meeting_rooms": list(call.backend.dataset.rows("meeting_rooms"))}


def find_free_rooms(call: Call) -> JSON:
    start, end = query_datetime(call.query, "start"), query_datetime(call.query, "end")
    if end <= start:
        raise invalid("end", "end 须晚于 start")
    size = query_int(call.query, "size", default=1)
    rooms = free_rooms(
        list(call.backend.dataset.rows("meeting_rooms")), call.state.rows("meetings"), Slot(start, end), size
    )
    return {"start": start.isoformat(), "end": end.isoformat(), "size": size, "free_rooms": rooms}


def list_meetings(call: Call) -> JSON:
    employee = call.owner(Scope.PERSONAL)
    day = query_date(call.query, "date")
    meetings = [
        _view(call, m)
        for m in call.state.rows("meetings")
        if _involves(m, employee.id) and (day is None or Slot.of(m).start.date() == day)
    ]
    meetings.sort(key=lambda m: str(m["start"]))
    return {"employee_id": employee.id, "meetings": meetings}


def get_meeting(call: Call) -> JSON:
    meeting = call.state.find("meetings", call.path["meeting_id"])
    if meeting is None or not (call.caller.is_hr or _involves(meeting, call.caller.id)):
        raise not_found()
    return _view(call, meeting)


@dataclass(frozen=True)
class MeetingInput:
    title: str
    slot: Slot
    attendee_ids: list[str]
    size: int
    room_id: str | None


def read_meeting(body: Body) -> MeetingInput:
    meeting = MeetingInput(
        title=body.text("title", default="会议", max_length=100),
        slot=Slot(body.moment("start"), body.moment("end")),
        attendee_ids=body.id_list("attendee_ids"),
        size=body.integer("size", default=1, maximum=MAX_SIZE),
        room_id=body.optional_text("room_id"),
    )
    body.finish()
    return meeting


def book_meeting(call: Call) -> Reply:
    wanted = read_meeting(Body(call.body))
    backend, organizer = call.backend, call.caller.id
    unknown = [a for a in wanted.attendee_ids if a not in backend.dataset.employees]
    if unknown:
        raise invalid("attendee_ids", f"不认识的工号:{', '.join(unknown)}")
    people = list(dict.fromkeys([organizer, *wanted.attendee_ids]))
    size = max(wanted.size, len(people))
    rooms = list(backend.dataset.rows("meeting_rooms"))
    if wanted.room_id is not None and wanted.room_id not in {r["id"] for r in rooms}:
        raise violation(
            "unknown_room", f"没有会议室{wanted.room_id},可选:{', '.join(r['id'] for r in rooms)}"
        )
    with backend.writing() as (transaction, state):
        room, problems = pick_room(
            rooms, state.rows("meetings"), wanted.slot, size, wanted.room_id, backend.now
        )
        if problems or room is None:
            raise problems[0].error()
        meeting = {
            "id": state.next_id("meetings", backend.now.year),
            "room_id": room["id"],
            "organizer_id": organizer,
            "title": wanted.title,
            "start": wanted.slot.start.isoformat(),
            "end": wanted.slot.end.isoformat(),
            "attendee_ids": people,
            "size": size,
        }
        transaction.put("meetings", meeting)
    return Reply(_view(call, meeting), 201)


ENDPOINTS = (
    Endpoint(
        "GET", "/oa/meeting-rooms", list_rooms, "Meeting rooms and their capacity", "oa", rights="everyone"
    ),
    Endpoint(
        "GET",
        "/oa/meeting-rooms/free",
        find_free_rooms,
        "Rooms free for a time that hold a number of people",
        "oa",
        params=(
            Param("start", "start time", required=True, schema=DATETIME),
            Param("end", "end time", required=True, schema=DATETIME),
            Param("size", "people (default 1)", schema=INTEGER),
        ),
        rights="everyone",
        errors=(400,),
    ),
    Endpoint(
        "GET",
        "/oa/meetings",
        list_meetings,
        "Meetings an employee organizes or attends",
        "oa",
        params=(EMPLOYEE_ID, Param("date", "only this day", schema=DATE)),
        rights="self, HR",
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        "/oa/meetings/{meeting_id}",
        get_meeting,
        "One meeting",
        "oa",
        params=(Param("meeting_id", "e.g. M001", where="path", required=True),),
        rights="organizer, attendees, HR",
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/oa/meetings",
        book_meeting,
        "Book a room (capacity, no double booking)",
        "oa",
        body="MeetingInput",
        status=201,
        rights="the acting employee organizes",
        errors=(400, 422),
    ),
)
