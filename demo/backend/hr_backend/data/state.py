"""company.json merged with the database's writes: what every read sees.

For a writable collection the merged rows are company.json's rows, each replaced by its written
version if there is one, followed by the new records in the order they were written. A state is
built per request (or per write transaction) and caches each merged collection it reads.
"""

from __future__ import annotations

from typing import Any

from hr_backend.data.dataset import WRITABLE, Dataset
from hr_backend.data.store import RowReader

JSON = dict[str, Any]

ID_PREFIXES = {
    "leave_requests": ("LV", True, 5),
    "reimbursements": ("RB", True, 5),
    "attendance_corrections": ("AC", True, 5),
    "material_requests": ("MR", False, 4),
    "meetings": ("M", False, 3),
}


class CompanyState:
    """The company's data as of now: company.json plus the database's writes."""

    def __init__(self, dataset: Dataset, reader: RowReader) -> None:
        self.dataset = dataset
        self._reader = reader
        self._merged: dict[str, list[JSON]] = {}

    def rows(self, kind: str) -> list[JSON]:
        """Every record of ``kind`` (merged for writable collections); do not modify them."""
        if kind not in WRITABLE:
            return list(self.dataset.rows(kind))
        if kind not in self._merged:
            written = {str(row["id"]): row for row in self._reader.rows(kind)}
            original_ids = set()
            merged = []
            for row in self.dataset.rows(kind):
                original_ids.add(str(row["id"]))
                merged.append(written.get(str(row["id"]), row))
            merged.extend(row for record_id, row in written.items() if record_id not in original_ids)
            self._merged[kind] = merged
        return self._merged[kind]

    def rows_of(self, kind: str, employee_id: str) -> list[JSON]:
        return [row for row in self.rows(kind) if row.get("employee_id") == employee_id]

    def find(self, kind: str, record_id: str) -> JSON | None:
        return next((row for row in self.rows(kind) if row.get("id") == record_id), None)

    def original(self, kind: str, record_id: str) -> JSON | None:
        """The record as company.json has it (None for a record the backend created)."""
        return self.dataset.find(kind, record_id)

    def next_id(self, kind: str, year: int) -> str:
        """A fresh id in the collection's own format (LV202600088, MR0041, M031, ...)."""
        prefix, with_year, width = ID_PREFIXES[kind]
        if with_year:
            prefix = f"{prefix}{year}"
        numbers = [
            int(str(row["id"])[len(prefix) :])
            for row in self.rows(kind)
            if str(row["id"]).startswith(prefix) and str(row["id"])[len(prefix) :].isdigit()
        ]
        return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"
