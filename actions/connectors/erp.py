"""ERP (财务系统): expense claims (handbook chapter 5), welfare (chapter 6), material requests.
Each method returns the system's JSON answer as is."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from actions.connectors.client import JSON, SystemCall


@dataclass(frozen=True)
class ClaimInput:
    """An expense claim. `category`: taxi, travel, accommodation (needs `city`), meal, office,
    training, other. Flags and counts left at their defaults are sent as the system's defaults."""

    category: str
    amount: float
    occurred_on: date
    description: str | None = None
    city: str | None = None
    nights: int | None = None
    persons: int | None = None
    overtime_after_21: bool | None = None
    manager_approved: bool | None = None
    invoice_title: str | None = None


class Erp:
    """The ERP endpoints, called for the employee of `call`."""

    def __init__(self, call: SystemCall) -> None:
        self._call = call

    async def reimbursements(self, status: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, reimbursements: [{id, category, category_name, amount, occurred_on, status,
        ...}]. `status`: submitted, approved, paid, rejected."""
        return await self._call.get("/erp/reimbursements", {"status": status, "employee_id": employee_id})

    async def reimbursement(self, reimbursement_id: str) -> JSON:
        """One expense claim (its owner and HR only)."""
        return await self._call.get(f"/erp/reimbursements/{reimbursement_id}")

    async def preview_reimbursement(self, claim: ClaimInput) -> JSON:
        """What filing the claim would file, without filing it: ok, the would-be record (category,
        category_name, amount, occurred_on, description, current_step, ...), limit: {amount, per,
        text, section} or None, deadline, approval_steps, problems: [{error, message, section}]
        (every chapter-5 rule it breaks). A timeout is a read's (nothing can have been filed)."""
        return await self._call.preview("/erp/reimbursements/preview", asdict(claim))

    async def submit_reimbursement(self, claim: ClaimInput) -> JSON:
        """Files the claim for the acting employee; the new record (status submitted).
        RequestRefused with the handbook's reason when a chapter-5 rule forbids it."""
        return await self._call.post("/erp/reimbursements", asdict(claim))

    async def welfare(self) -> JSON:
        """welfare: the welfare items (holiday gifts, check-up, allowances)."""
        return await self._call.get("/erp/welfare")

    async def welfare_records(self, employee_id: str | None = None) -> JSON:
        """employee_id, records: [{welfare_id, title, date, amount, welfare_status, ...}]."""
        return await self._call.get("/erp/welfare-records", {"employee_id": employee_id})

    async def material_requests(self, status: str | None = None, employee_id: str | None = None) -> JSON:
        """employee_id, material_requests: [{id, item, quantity, requested_on, status, reason}]."""
        return await self._call.get("/erp/material-requests", {"status": status, "employee_id": employee_id})

    async def material_request(self, request_id: str) -> JSON:
        """One material request (its owner and HR only)."""
        return await self._call.get(f"/erp/material-requests/{request_id}")

    async def request_material(self, item: str, quantity: int = 1, reason: str | None = None) -> JSON:
        """Requests office supplies or equipment (1-20 pieces); the new record (status pending)."""
        return await self._call.post(
            "/erp/material-requests", {"item": item, "quantity": quantity, "reason": reason}
        )
