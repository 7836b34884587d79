"""HRM: performance disputes (handbook 7.3) — file, follow, reply, and the weekly deliveries.

An employee disputes one of their own review results (a period such as 2026Q3) within the
filing window; the dispute goes to the review's reviewer (a self-review, as department heads
have, goes to the HR director). The reviewer replies whenever they like; each reply carries
``deliver_at``, the start of the feedback window it is delivered in (Thursday 19:00), and the
employee sees its text only from then on — before, only that a reply waits and when it comes.

Disputes are the backend's own records: kept in the database of writes (kind
``performance_disputes``, replies inside the dispute), so they survive restarts and are dropped
by ``/admin/reset``. Who sees a dispute: its employee, its reviewer, HR roles; everyone else gets
the 404 of a dispute that does not exist. Only the reviewer replies (others who see it: 403).
"""

from __future__ import annotations

from datetime import date, datetime

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import DATE, Endpoint, Param
from hr_backend.api.params import Body, query_choice, query_date
from hr_backend.api.views import JSON, person
from hr_backend.data.dataset import Dataset, Employee
from hr_backend.data.store import RowReader
from hr_backend.data.workcal import WorkCalendar
from hr_backend.errors import Problem, forbidden, invalid, not_found
from hr_backend.policy.access import Caller
from hr_backend.policy.disputes import (
    FEEDBACK_RULE,
    FILING_RULE,
    PUBLICATION_RULE,
    feedback_window_end,
    feedback_window_start,
    filing_window,
    parse_period,
)

KIND = "performance_disputes"
ID_PREFIX = "PD"
ID_DIGITS = 5
STATUS_NAMES = {"pending": "待回复", "replied": "已回复"}
ROLES = {"filed": "disputes the caller filed", "to_review": "disputes addressed to the caller"}
MAX_REASON_CHARS = 1000
MAX_REPLY_CHARS = 1000


# --- records ---------------------------------------------------------------------------------


def _records(reader: RowReader) -> list[JSON]:
    return reader.rows(KIND)


def _next_id(records: list[JSON], year: int) -> str:
    prefix = f"{ID_PREFIX}{year}"
    numbers = [
        int(str(r["id"])[len(prefix) :])
        for r in records
        if str(r["id"]).startswith(prefix) and str(r["id"])[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:0{ID_DIGITS}d}"


def _moment(value: object) -> datetime:
    return datetime.fromisoformat(str(value))


def _handler_id(review: JSON, employee: Employee, dataset: Dataset) -> str | None:
    """Who answers a dispute of ``review``: its reviewer, or for a self-review the HR director."""
    reviewer = review.get("reviewer_id")
    if reviewer and reviewer != employee.id:
        return str(reviewer)
    director = dataset.hr_director()
    return director.id if director is not None and director.id != employee.id else None


def _relation(caller: Caller, record: JSON) -> str | None:
    """How the caller stands to a dispute: ``owner``, ``reviewer``, ``hr`` or None (not theirs)."""
    if record["employee_id"] == caller.id:
        return "owner"
    if record["reviewer_id"] == caller.id:
        return "reviewer"
    return "hr" if caller.is_hr else None


def _window(start: datetime) -> JSON:
    return {"start": start.isoformat(), "end": feedback_window_end(start).isoformat()}


def _view(call: Call, record: JSON) -> JSON:
    """A dispute as the caller may see it: the employee gets a reply's text only once its
    feedback window has begun (before: ``pending_replies`` with ``deliver_at``)."""
    dataset, now = call.backend.dataset, call.backend.now
    relation = _relation(call.caller, record)
    review = next(
        (
            r
            for r in dataset.rows_of("performance_reviews", str(record["employee_id"]))
            if r["period"] == record["period"]
        ),
        {},
    )
    replies = list(record.get("replies") or [])
    delivered = [r for r in replies if _moment(r["deliver_at"]) <= now]
    waiting = [r for r in replies if _moment(r["deliver_at"]) > now]
    view = {key: value for key, value in record.items() if key != "replies"}
    view.update(
        {
            "relation": relation,
            "employee": person(dataset, str(record["employee_id"])),
            "reviewer": person(dataset, str(record["reviewer_id"])),
            "review": {k: review.get(k) for k in ("period", "score", "grade", "okr_completion")},
            "status_name": STATUS_NAMES.get(str(record["status"]), record["status"]),
            "next_delivery_at": min((str(r["deliver_at"]) for r in waiting), default=None),
        }
    )
    if relation == "owner":
        view["replies"] = [_reply_view(dataset, r) for r in delivered]
        view["pending_replies"] = [{"deliver_at": r["deliver_at"]} for r in waiting]
        if waiting and not delivered:
            view["status_name"] = "已回复(待反馈窗口送达)"
    else:
        view["replies"] = [
            {**_reply_view(dataset, r), "delivered": _moment(r["deliver_at"]) <= now} for r in replies
        ]
    return view


def _reply_view(dataset: Dataset, reply: JSON) -> JSON:
    start = _moment(reply["deliver_at"])
    return {**reply, "author": person(dataset, str(reply["author_id"])), "window": _window(start)}


def _visible(call: Call, reader: RowReader) -> JSON:
    record = next((r for r in _records(reader) if r["id"] == call.path["dispute_id"]), None)
    if record is None or _relation(call.caller, record) is None:
        raise not_found()
    return record


# --- what may be disputed ----------------------------------------------------------------------


def _review_standing(
    review: JSON, employee: Employee, records: list[JSON], today: date, dataset: Dataset
) -> tuple[JSON, Problem | None]:
    """A review with its filing window and, if it cannot be disputed today, why."""
    calendar: WorkCalendar = dataset.calendar
    period = str(review["period"])
    window = filing_window(period, calendar)
    handler = _handler_id(review, employee, dataset)
    existing = next(
        (r for r in records if r["employee_id"] == employee.id and r["period"] == period), None
    )
    problem = window.problem(today)
    if existing is not None:
        problem = Problem(
            "already_disputed",
            f"您已就{period}的绩效结果提交过申诉({existing['id']}),可以查询处理进度,不必重复提交",
            "7.3",
        )
    elif handler is None:
        problem = Problem(
            "no_reviewer", f"{period}的绩效结果由您本人评定,没有可受理申诉的上级,请联系公司管理层", "7.3"
        )
    standing = {
        "period": period,
        "score": review.get("score"),
        "grade": review.get("grade"),
        "reviewer": person(dataset, handler),
        "published_on": window.published_on.isoformat(),
        "deadline": window.deadline.isoformat(),
        "open": problem is None,
        "problem": problem.message if problem is not None else None,
        "dispute_id": existing["id"] if existing is not None else None,
    }
    return standing, problem


def dispute_eligibility(call: Call) -> JSON:
    backend = call.backend
    employee, today = call.caller.employee, backend.now.date()
    records = _records(backend.store)
    reviews = backend.dataset.rows_of("performance_reviews", employee.id)
    reviews.sort(key=lambda r: str(r["period"]), reverse=True)
    return {
        "employee_id": employee.id,
        "today": today.isoformat(),
        "reviews": [_review_standing(r, employee, records, today, backend.dataset)[0] for r in reviews],
        "rule": FILING_RULE,
        "published_on_basis": PUBLICATION_RULE,
        "feedback_rule": FEEDBACK_RULE,
        "next_feedback_window": _window(feedback_window_start(backend.now, backend.dataset.calendar)),
    }


# --- filing and replying -----------------------------------------------------------------------


def read_dispute(body: Body) -> tuple[str, str]:
    """The period disputed (e.g. 2026Q3) and the employee's reason."""
    period = body.text("period", required=True, max_length=10)
    if parse_period(period) is None:
        raise invalid("period", f"period 须为考核期,例如 2026Q3,收到 {period!r}")
    reason = body.text("reason", required=True, max_length=MAX_REASON_CHARS)
    body.finish()
    return period, reason


def file_dispute(call: Call) -> Reply:
    period, reason = read_dispute(Body(call.body))
    backend, employee = call.backend, call.caller.employee
    with backend.writing() as (transaction, _):
        records = _records(transaction)
        reviews = backend.dataset.rows_of("performance_reviews", employee.id)
        review = next((r for r in reviews if r["period"] == period), None)
        if review is None:
            known = "、".join(sorted((str(r["period"]) for r in reviews), reverse=True)) or "无"
            message = f"没有您{period}的绩效结果,无法申诉;已有的考核期:{known}"
            raise Problem("no_review", message, "7.3").error()
        standing, problem = _review_standing(review, employee, records, backend.now.date(), backend.dataset)
        if problem is not None:
            raise problem.error()
        record = {
            "id": _next_id(records, backend.now.year),
            "employee_id": employee.id,
            "period": period,
            "reason": reason,
            "reviewer_id": standing["reviewer"]["id"],
            "status": "pending",
            "submitted_at": backend.now.isoformat(timespec="seconds"),
            "published_on": standing["published_on"],
            "deadline": standing["deadline"],
            "replies": [],
        }
        transaction.put(KIND, record)
    window = _window(feedback_window_start(backend.now, backend.dataset.calendar))
    return Reply({**_view(call, record), "next_feedback_window": window}, 201)


def read_reply(body: Body) -> str:
    """The reviewer's answer."""
    text = body.text("text", required=True, max_length=MAX_REPLY_CHARS)
    body.finish()
    return text


def reply_to_dispute(call: Call) -> Reply:
    text = read_reply(Body(call.body))
    backend = call.backend
    with backend.writing() as (transaction, _):
        record = _visible(call, transaction)
        if record["reviewer_id"] != call.caller.id:
            reviewer = backend.dataset.employees.get(str(record["reviewer_id"]))
            raise forbidden(f"只有该申诉的处理人{reviewer.name if reviewer else ''}可以回复(手册7.3)", "7.3")
        deliver_at = feedback_window_start(backend.now, backend.dataset.calendar)
        reply = {
            "author_id": call.caller.id,
            "text": text,
            "replied_at": backend.now.isoformat(timespec="seconds"),
            "deliver_at": deliver_at.isoformat(),
        }
        record = {**record, "status": "replied", "replies": [*(record.get("replies") or []), reply]}
        transaction.put(KIND, record)
    return Reply({**_view(call, record), "reply": _reply_view(backend.dataset, reply)}, 201)


# --- reading -----------------------------------------------------------------------------------


def list_disputes(call: Call) -> JSON:
    role = query_choice(call.query, "role", ROLES)
    wanted = {"filed": ("owner",), "to_review": ("reviewer",), None: ("owner", "reviewer", "hr")}[role]
    records = [r for r in _records(call.backend.store) if _relation(call.caller, r) in wanted]
    records.sort(key=lambda r: (str(r["submitted_at"]), str(r["id"])), reverse=True)
    start = feedback_window_start(call.backend.now, call.backend.dataset.calendar)
    return {
        "employee_id": call.caller.id,
        "disputes": [_view(call, r) for r in records],
        "feedback_rule": FEEDBACK_RULE,
        "next_feedback_window": _window(start),
    }


def get_dispute(call: Call) -> JSON:
    return _view(call, _visible(call, call.backend.store))


def list_deliveries(call: Call) -> JSON:
    """What a scheduler pushes in one feedback window: the replies whose ``deliver_at`` falls on
    ``on`` (a Thursday), with the recipient's channel ids. HR only; others get an empty list."""
    backend = call.backend
    day = query_date(call.query, "on") or backend.now.date()
    deliveries = []
    if call.caller.is_hr:
        for record in _records(backend.store):
            employee = backend.dataset.employees.get(str(record["employee_id"]))
            for reply in record.get("replies") or []:
                start = _moment(reply["deliver_at"])
                if start.date() != day or employee is None:
                    continue
                deliveries.append(
                    {
                        "dispute_id": record["id"],
                        "period": record["period"],
                        "employee_id": employee.id,
                        "employee_name": employee.name,
                        "wecom_userid": employee.wecom_userid,
                        "dingtalk_userid": employee.dingtalk_userid,
                        "reviewer": person(backend.dataset, str(reply["author_id"])),
                        "text": reply["text"],
                        "replied_at": reply["replied_at"],
                        "deliver_at": reply["deliver_at"],
                        "window": _window(start),
                    }
                )
    deliveries.sort(key=lambda d: (str(d["deliver_at"]), str(d["dispute_id"]), str(d["replied_at"])))
    return {"on": day.isoformat(), "deliveries": deliveries, "feedback_rule": FEEDBACK_RULE}


DISPUTE_ID = Param("dispute_id", "e.g. PD202600001", where="path", required=True)
DISPUTE_RIGHTS = "the employee who filed it, its reviewer, HR"

ENDPOINTS = (
    Endpoint(
        "GET",
        "/hrm/performance-disputes/eligible",
        dispute_eligibility,
        "The caller's review results with their dispute window (7.3): published, deadline, open",
        "hrm",
        rights="the acting employee, for themself",
    ),
    Endpoint(
        "GET",
        "/hrm/performance-disputes/deliveries",
        list_deliveries,
        "Replies to deliver in one Thursday feedback window, with the recipients' channel ids",
        "hrm",
        params=(Param("on", "the window's day (default: today)", schema=DATE),),
        rights="HR (others get an empty list)",
        errors=(400,),
    ),
    Endpoint(
        "GET",
        "/hrm/performance-disputes",
        list_disputes,
        "Performance disputes: filed by the caller, addressed to them as reviewer, all for HR",
        "hrm",
        params=(Param("role", "only `filed` or only `to_review`", schema={"enum": list(ROLES)}),),
        rights="own; a reviewer those addressed to them; HR all",
        errors=(400,),
    ),
    Endpoint(
        "GET",
        "/hrm/performance-disputes/{dispute_id}",
        get_dispute,
        "One dispute; the employee sees a reply once its feedback window has begun",
        "hrm",
        params=(DISPUTE_ID,),
        rights=DISPUTE_RIGHTS,
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/hrm/performance-disputes",
        file_dispute,
        "Dispute a review result within 5 working days of its publication (7.3)",
        "hrm",
        body="DisputeInput",
        status=201,
        rights="the acting employee, for their own review",
        errors=(400, 422),
    ),
    Endpoint(
        "POST",
        "/hrm/performance-disputes/{dispute_id}/replies",
        reply_to_dispute,
        "The reviewer's reply, delivered in the next Thursday 19:00-21:00 feedback window (7.3)",
        "hrm",
        params=(DISPUTE_ID,),
        body="DisputeReplyInput",
        status=201,
        rights="the dispute's reviewer (others who may see it: 403)",
        errors=(400, 403, 404),
    ),
)
