"""HRM (人事系统): profiles, direct reports, calendar, leave balances, payslips, attendance,
training, performance and hiring progress. Each method returns the system's JSON answer as is;
the keys are listed in the docstrings (see demo/backend/README.md and GET /openapi.json).

`employee_id=None` means the acting employee; another id reads a report's data as their manager
(or anyone's as HR) — the system answers NotFound when the acting employee may not see it.
"""

from __future__ import annotations

from datetime import date

from actions.connectors.client import JSON, SystemCall


class Hrm:
    """The HRM endpoints, called for the employee of `call`."""

    def __init__(self, call: SystemCall) -> None:
        self._call = call

    async def profile(self, employee_id: str = "me") -> JSON:
        """id, name, department, title, manager{id,name,title}, hire_date, tenure_years, email,
        phone/id_card/bank_account (masked unless HR), identifiers_masked, roles, base_salary."""
        return await self._call.get(f"/hrm/employees/{employee_id}", target=employee_id)

    async def find_employees(self, name_or_id: str) -> JSON:
        """query, employees: [{id, name, department, title}] named exactly `name_or_id` (or with
        that employee id) whom the acting employee may see: themself, their direct reports, anyone
        for HR. Nobody else is ever listed, so an empty answer does not say the name is unknown."""
        return await self._call.get("/hrm/employees", {"q": name_or_id})

    async def reports(self, employee_id: str = "me") -> JSON:
        """manager_id, reports: [profile]. Only the manager themself and HR may ask."""
        return await self._call.get(f"/hrm/employees/{employee_id}/reports", target=employee_id)

    async def calendar(self, start: date | None = None, end: date | None = None) -> JSON:
        """from, to, working_days, dates, holidays, makeup_workdays, days: [{date, kind, kind_name}]."""
        return await self._call.get("/hrm/calendar", {"from": start, "to": end})

    async def leave_balances(self, leave_type: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, balances: [{leave_type, leave_type_name, year, entitled, used, pending,
        remaining}],
        personal_leave: {year, cap, taken, remaining, section}."""
        return await self._call.get(
            "/hrm/leave-balances", {"leave_type": leave_type, "employee_id": employee_id}
        )

    async def payslips(self, year: int | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, payslips: [{month, gross, net, paid_on}] in month order."""
        return await self._call.get("/hrm/payslips", {"year": year, "employee_id": employee_id})

    async def payslip(self, month: str, employee_id: str | None = None) -> JSON:
        """One month ("2026-10"): the payslip's amounts, employee_name, items: [{code, name, amount,
        sign}], formulas (handbook 4.2, 4.5). NotFound when there is no payslip for the month."""
        return await self._call.get(f"/hrm/payslips/{month}", {"employee_id": employee_id})

    async def attendance(
        self,
        *,
        month: str | None = None,
        start: date | None = None,
        end: date | None = None,
        status: str | None = None,
        employee_id: str | None = None,
    ) -> JSON:
        """`month` ("2026-11") or `start`/`end` (default: this month so far). employee_id, from, to,
        records: [{date, status, check_in, check_out, late_minutes, overtime_hours, correction}],
        summary: {days, normal, late, early_leave, missing_punch, on_leave, late_minutes,
        overtime_hours, late_fee, late_fee_rule}. `status` keeps only records of that status."""
        params = {"month": month, "from": start, "to": end, "status": status, "employee_id": employee_id}
        return await self._call.get("/hrm/attendance", params)

    async def trainings(self) -> JSON:
        """trainings: the catalogue."""
        return await self._call.get("/hrm/trainings")

    async def training_records(self, employee_id: str | None = None) -> JSON:
        """employee_id, records, required_open (required and not completed), upcoming."""
        return await self._call.get("/hrm/training-records", {"employee_id": employee_id})

    async def performance(self, period: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, reviews: [{period, score, grade, reviewer, ...}] newest first, grade_scale."""
        return await self._call.get("/hrm/performance", {"period": period, "employee_id": employee_id})

    async def dispute_eligibility(self) -> JSON:
        """The acting employee's review results and their dispute window (handbook 7.3):
        reviews: [{period, score, grade, reviewer{id,name,title}, published_on, deadline, open,
        problem (why not, or None), dispute_id}] newest first, rule, next_feedback_window {start, end}."""
        return await self._call.get("/hrm/performance-disputes/eligible")

    async def performance_disputes(self, role: str | None = None) -> JSON:
        """disputes the acting employee filed, those addressed to them as reviewer, all for HR
        (`role` "filed" or "to_review" keeps one kind), newest first: [{id, period, reason,
        status, status_name, relation, employee, reviewer, review, submitted_at, deadline,
        replies (for the employee: delivered ones only), pending_replies [{deliver_at}],
        next_delivery_at}], next_feedback_window {start, end}."""
        return await self._call.get("/hrm/performance-disputes", {"role": role})

    async def performance_dispute(self, dispute_id: str) -> JSON:
        """One dispute as above; NotFound unless the acting employee filed it, reviews it or is HR."""
        return await self._call.get(f"/hrm/performance-disputes/{dispute_id}")

    async def file_performance_dispute(self, period: str, reason: str) -> JSON:
        """Disputes the acting employee's result of `period` ("2026Q3"): the dispute (id, reviewer,
        deadline, ...). RequestRefused (dispute_window_closed, already_disputed, no_review, ...)."""
        return await self._call.post("/hrm/performance-disputes", {"period": period, "reason": reason})

    async def reply_performance_dispute(self, dispute_id: str, text: str) -> JSON:
        """The reviewer's reply: the dispute plus reply {text, replied_at, deliver_at, window}.
        NotAuthorized (403) for anyone but the dispute's reviewer, NotFound if not visible."""
        return await self._call.post(f"/hrm/performance-disputes/{dispute_id}/replies", {"text": text})

    async def positions(self) -> JSON:
        """positions the acting employee hires for (all for HR): [{id, title, department, open,
        hiring_manager, candidates_by_stage, in_process, ...}]; others get an empty list."""
        return await self._call.get("/hrm/positions")

    async def position(self, position_id: str) -> JSON:
        """One position with its candidates (hiring manager and HR only)."""
        return await self._call.get(f"/hrm/positions/{position_id}")

    async def candidates(
        self, *, name: str | None = None, position_id: str | None = None, stage: str | None = None
    ) -> JSON:
        """candidates: [{id, name, position_id, position_title, stage, updated_on, ...}]."""
        return await self._call.get(
            "/hrm/candidates", {"name": name, "position_id": position_id, "stage": stage}
        )

    async def candidate(self, candidate_id: str) -> JSON:
        """One candidate's stage (hiring manager and HR only)."""
        return await self._call.get(f"/hrm/candidates/{candidate_id}")
