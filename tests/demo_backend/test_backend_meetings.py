"""Meeting rooms: free rooms for a time and size, capacity, no double booking."""

from __future__ import annotations

from typing import Any

from backend_test_support import Api

MONDAY_2PM = {"start": "2026-11-23T14:00", "end": "2026-11-23T15:00"}
MONDAY_3PM = {"start": "2026-11-23T15:00:00+08:00", "end": "2026-11-23T16:00:00+08:00"}


def book(api: Api, **fields: Any) -> Any:
    return api.post("/oa/meetings", {"title": "周会", **fields})


def test_free_rooms_leave_out_booked_and_small_rooms(api: Api) -> None:
    free = api.ok("GET", "/oa/meeting-rooms/free?start=2026-11-23T14:00&end=2026-11-23T15:00&size=1")[
        "free_rooms"
    ]
    big = api.ok("GET", "/oa/meeting-rooms/free?start=2026-11-23T15:00&end=2026-11-23T16:00&size=10")[
        "free_rooms"
    ]

    assert [r["id"] for r in free] == ["R302", "R501"]
    assert [r["id"] for r in big] == ["R302", "R501"]


def test_free_rooms_need_a_proper_span(api: Api) -> None:
    response = api.get("/oa/meeting-rooms/free?start=2026-11-23T15:00&end=2026-11-23T14:00")

    assert response.status_code == 400
    assert response.json()["field"] == "end"
    assert api.get("/oa/meeting-rooms/free?end=2026-11-23T14:00").json()["field"] == "start"


def test_a_booking_is_stored_and_shows_up_for_attendees(api: Api) -> None:
    response = book(api, room_id="R301", attendee_ids=["E1009", "E1010"], **MONDAY_3PM)

    assert response.status_code == 201
    meeting = response.json()
    assert (meeting["id"], meeting["room_name"], meeting["size"]) == ("M031", "301会议室", 3)
    assert meeting["attendee_ids"] == ["E1008", "E1009", "E1010"]
    assert "M031" in [m["id"] for m in api.ok("GET", "/oa/meetings?date=2026-11-23", who="E1009")["meetings"]]


def test_a_room_cannot_be_double_booked_but_back_to_back_is_fine(api: Api) -> None:
    book(api, room_id="R301", **MONDAY_3PM)

    error = api.rejected("/oa/meetings", {"room_id": "R301", **MONDAY_3PM}, who="E1020")
    assert error == {
        "error": "room_conflict",
        "message": "301会议室在2026-11-23 15:00-16:00已被预订,请换个时间或会议室",
    }
    assert book(api, room_id="R301", start="2026-11-23T16:00", end="2026-11-23T17:00").status_code == 201


def test_a_booking_clashes_with_company_meetings_too(api: Api) -> None:
    assert api.rejected("/oa/meetings", {"room_id": "R301", **MONDAY_2PM})["error"] == "room_conflict"


def test_a_room_must_hold_everyone(api: Api) -> None:
    error = api.rejected("/oa/meetings", {"room_id": "R301", "size": 9, **MONDAY_3PM})

    assert error == {"error": "room_too_small", "message": "301会议室最多容纳8人,本次会议9人"}


def test_without_a_room_the_smallest_free_one_that_fits_is_booked(api: Api) -> None:
    assert book(api, size=10, **MONDAY_2PM).json()["room_id"] == "R302"
    assert book(api, size=10, **MONDAY_2PM).json()["room_id"] == "R501"
    assert api.rejected("/oa/meetings", {"size": 10, **MONDAY_2PM})["error"] == "no_room_available"


def test_meetings_cannot_be_booked_in_the_past_or_backwards(api: Api) -> None:
    assert api.rejected("/oa/meetings", {"start": "2026-11-20T14:00", "end": "2026-11-20T15:00"})[
        "error"
    ] == ("start_in_past")
    assert api.rejected("/oa/meetings", {"start": "2026-11-23T15:00", "end": "2026-11-23T14:00"})[
        "error"
    ] == ("invalid_span")


def test_unknown_rooms_and_attendees_are_named(api: Api) -> None:
    assert api.rejected("/oa/meetings", {"room_id": "R999", **MONDAY_3PM})["error"] == "unknown_room"
    response = book(api, attendee_ids=["E9999"], **MONDAY_3PM)
    assert response.status_code == 400
    assert "E9999" in response.json()["message"]
