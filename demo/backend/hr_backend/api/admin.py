"""Service endpoints: liveness with the backend's clock, and resetting to company.json's state."""

from __future__ import annotations

from hr_backend.api.call import Call
from hr_backend.api.endpoint import Endpoint
from hr_backend.api.views import JSON


def health(call: Call) -> JSON:
    backend = call.backend
    return {
        "status": "ok",
        "company": backend.dataset.company.get("name"),
        "now": backend.now.isoformat(),
        "today": backend.now.date().isoformat(),
        "writes": backend.store.count(),
    }


def reset(call: Call) -> JSON:
    dropped = call.backend.store.reset()
    return {"status": "reset", "dropped_writes": dropped}


ENDPOINTS = (
    Endpoint(
        "GET",
        "/health",
        health,
        "Liveness, the backend's clock and how many writes it holds",
        "public",
        acting=False,
        rights="no token",
    ),
    Endpoint(
        "POST",
        "/admin/reset",
        reset,
        "Drop every write: back to company.json's state",
        "admin",
        acting=False,
        rights="admin token",
    ),
)
