"""JSON Schemas of the request bodies and of the error body, for the OpenAPI description.

Each body schema lists exactly the fields its reader (``read_leave``, ``read_claim``, ...) takes;
a test checks that they agree.
"""

from __future__ import annotations

from typing import Any

from hr_backend.policy.claims import CATEGORIES
from hr_backend.policy.leave_types import HALF_DAYS, LEAVE_TYPES

JSON = dict[str, Any]

DATE: JSON = {"type": "string", "format": "date"}
DATETIME: JSON = {"type": "string", "format": "date-time"}

BODIES: dict[str, JSON] = {
    "DisputeInput": {"type": "object", "required": ["period", "reason"], "properties": {
        "period": {"type": "string", "pattern": r"^\d{4}Q[1-4]$",
                   "description": "the review period disputed, e.g. 2026Q3 (handbook 7.3)"},
        "reason": {"type": "string", "maxLength": 1000}}},
    "DisputeReplyInput": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "maxLength": 1000,
                 "description": "delivered in the next Thursday 19:00-21:00 feedback window "
                                "(handbook 7.3)"}}},
    "LeaveInput": {
        "type": "object",
        "required": ["leave_type", "start"],
        "description": "Give `end`, or `days` (end is then the days-th working day), or both (must agree).",
        "properties": {
            "leave_type": {"type": "string", "enum": list(LEAVE_TYPES)},
            "start": DATE,
            "end": DATE,
            "days": {"type": "number", "multipleOf": 0.5, "description": "0.5 = half a day (handbook 2.9)"},
            "half_day": {"type": "string", "enum": list(HALF_DAYS), "description": "one-day requests only"},
            "reason": {"type": "string"},
        },
    },
    "ReimbursementInput": {
        "type": "object",
        "required": ["category", "amount", "occurred_on"],
        "properties": {
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "amount": {"type": "number", "exclusiveMinimum": 0, "description": "CNY"},
            "occurred_on": {**DATE, "description": "the day of the expense (handbook 5.1: within 30 days)"},
            "description": {"type": "string"},
            "city": {
                "type": "string",
                "description": "required for accommodation; 北京/上海/广州/深圳 are first-tier",
            },
            "nights": {"type": "integer", "minimum": 1, "default": 1},
            "persons": {
                "type": "integer",
                "minimum": 1,
                "default": 1,
                "description": "people at a business meal",
            },
            "overtime_after_21": {
                "type": "boolean",
                "default": False,
                "description": "taxi after overtime past 21:00",
            },
            "manager_approved": {
                "type": "boolean",
                "default": False,
                "description": "meal approved beforehand",
            },
            "invoice_title": {"type": "string", "description": "must be 星河电商科技有限公司 (handbook 5.4)"},
        },
    },
    "CorrectionInput": {
        "type": "object",
        "required": ["date"],
        "properties": {
            "date": {**DATE, "description": "the day with the abnormal punch"},
            "reason": {"type": "string", "default": "忘记打卡"},
        },
    },
    "MaterialRequestInput": {
        "type": "object",
        "required": ["item"],
        "properties": {
            "item": {"type": "string"},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 20, "default": 1},
            "reason": {"type": "string"},
        },
    },
    "MeetingInput": {
        "type": "object",
        "required": ["start", "end"],
        "description": "Without `room_id` the smallest free room that fits is booked.",
        "properties": {
            "title": {"type": "string", "default": "会议"},
            "start": DATETIME,
            "end": DATETIME,
            "room_id": {"type": "string"},
            "attendee_ids": {"type": "array", "items": {"type": "string"}, "description": "employee ids"},
            "size": {
                "type": "integer",
                "minimum": 1,
                "description": "people, if more than organizer + attendees",
            },
        },
    },
}

ERROR: JSON = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "machine-readable code, e.g. insufficient_balance"},
        "message": {"type": "string", "description": "Chinese reason the bot can relay"},
        "section": {"type": "string", "description": "the handbook section the rule comes from, e.g. 2.9"},
        "field": {"type": "string", "description": "the parameter or body field at fault (400)"},
    },
}
