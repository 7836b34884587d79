"""OA (办公审批系统): leave requests (handbook chapter 2), punch corrections (3.3), other work
orders, the approval queue, meeting rooms and meetings. Each method returns the system's JSON
answer as is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

from actions.connectors.client import JSON, SystemCall


@dataclass(frozen=True)
class LeaveInput:
    """A leave request: `end`, or `days` (0.5 steps; end is then the days-th working day), or both
    (they must agree). `half_day` ("morning"/"afternoon") only for one-day requests."""

    leave_type: str
    start: date
    end: date | None = None
    days: float | None = None
    half_day: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class MeetingInput:
    """A booking; without `room_id` the smallest free room that fits is taken."""

    start: datetime
    end: datetime
    title: str | None = None
    room_id: str | None = None
    attendee_ids: Sequence[str] | None = None
    size: int | None = None


class Oa:
    """The OA endpoints, called for the employee of `call`."""

    def __init__(self, call: SystemCall) -> None:
        self._call = call

    # -- leave ------------------------------------------------------------------------------

    async def leave_requests(
        self,
        *,
        status: str | None = None,
        start: date | None = None,
        end: date | None = None,
        employee_id: str | None = None,
    ) -> JSON:
        """employee_id, leave_requests: [{id, leave_type, leave_type_name, start, end, days, status,
        status_name, current_step, approver, ...}]; `start`/`end` keep those overlapping the span."""
        params = {"status": status, "from": start, "to": end, "employee_id": employee_id}
        return await self._call.get("/oa/leave-requests", params)

    async def leave_request(self, request_id: str) -> JSON:
        """One leave request (owner, their manager, its approver, HR)."""
        return await self._call.get(f"/oa/leave-requests/{request_id}")

    async def preview_leave(self, leave: LeaveInput) -> JSON:
        """What the request would cost, without filing it: ok, days, dates, approval_steps,
        balance: {year, before, after}, problems: [{error, message, section}] (every rule it breaks),
        notes, approver."""
        return await self._call.preview("/oa/leave-requests/preview", asdict(leave))

    async def request_leave(self, leave: LeaveInput) -> JSON:
        """Files the request; the new record with notes and balance. RequestRefused (first broken
        rule, with the handbook's reason) when it may not be filed."""
        return await self._call.post("/oa/leave-requests", asdict(leave))

    async def cancel_leave(self, request_id: str) -> JSON:
        """Withdraws the acting employee's own request that has not started (2.10); the record.
        NotAuthorized (403) for someone else's, RequestRefused once it started."""
        return await self._call.post(f"/oa/leave-requests/{request_id}/cancel")

    # -- punch corrections ------------------------------------------------------------------

    async def punch_corrections(self, employee_id: str | None = None) -> JSON:
        """employee_id, attendance_corrections: [{id, date, kind, status, reason, ...}]."""
        return await self._call.get("/oa/attendance-corrections", {"employee_id": employee_id})

    async def correction_candidates(self, employee_id: str | None = None) -> JSON:
        """Abnormal days that may still be corrected: employee_id, today, eligible: [{date, status,
        status_name, check_in, check_out, deadline}], this_month: {month, used, limit}, rule."""
        return await self._call.get("/oa/attendance-corrections/eligible", {"employee_id": employee_id})

    async def file_punch_correction(self, day: date, reason: str | None = None) -> JSON:
        """Files a correction for `day` (reason default 忘记打卡); the new record with kind_name."""
        return await self._call.post("/oa/attendance-corrections", {"date": day, "reason": reason})

    # -- work orders and the approval queue --------------------------------------------------

    async def approvals(
        self, *, status: str | None = None, kind: str | None = None, employee_id: str | None = None
    ) -> JSON:
        """employee_id, approvals: [{id, kind, kind_name, title, status, current_approver, ...}]."""
        params = {"status": status, "kind": kind, "employee_id": employee_id}
        return await self._call.get("/oa/approvals", params)

    async def approval(self, approval_id: str) -> JSON:
        """One work order and who has it now (applicant, current approver, HR)."""
        return await self._call.get(f"/oa/approvals/{approval_id}")

    async def todo(self) -> JSON:
        """What waits for the acting employee's approval: leave_requests, attendance_corrections
        (of direct reports), approvals — each with the applicant."""
        return await self._call.get("/oa/todo")

    # -- meeting rooms -------------------------------------------------------------------------

    async def meeting_rooms(self) -> JSON:
        """meeting_rooms: [{id, name, capacity, ...}]."""
        return await self._call.get("/oa/meeting-rooms")

    async def free_rooms(self, start: datetime, end: datetime, size: int = 1) -> JSON:
        """start, end, size, free_rooms: rooms free for the whole span that hold `size` people."""
        return await self._call.get("/oa/meeting-rooms/free", {"start": start, "end": end, "size": size})

    async def meetings(self, day: date | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, meetings: [{id, title, room_id, room_name, start, end, organizer, ...}]."""
        return await self._call.get("/oa/meetings", {"date": day, "employee_id": employee_id})

    async def meeting(self, meeting_id: str) -> JSON:
        """One meeting (organizer, attendees, HR)."""
        return await self._call.get(f"/oa/meetings/{meeting_id}")

    async def book_meeting(self, meeting: MeetingInput) -> JSON:
        """Books a room with the acting employee as organizer; the new meeting. RequestRefused for
        room_conflict, room_too_small, no_room_available, start_in_past, ..."""
        body = asdict(meeting)
        if meeting.attendee_ids is not None:
            body["attendee_ids"] = list(meeting.attendee_ids)
        return await self._call.post("/oa/meetings", body)
