"""Helpers for the demo backend's tests: make ``hr_backend`` importable and call the app in-process.

The backend is independent of hrbot; when the project is installed (``pip install -e .``) the
package is importable already, otherwise ``demo/backend`` is put on the path here.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
COMPANY_JSON = REPO / "demo" / "company.json"
BACKEND_DIR = REPO / "demo" / "backend"
if str(BACKEND_DIR) not in sys.path:
    sys.path.insert(0, str(BACKEND_DIR))

from hr_backend.app import create_app  # noqa: E402
from hr_backend.backend import Backend  # noqa: E402

NOT_FOUND = {"error": "not_found", "message": "未找到该记录"}


def token(system: str) -> str:
    return f"demo-{system}-token"


class Api:
    """Calls the backend through ASGI: ``api.get("/hrm/leave-balances", who="E1008")``.

    The token is the demo default of the system the path starts with; ``who`` goes into
    X-Acting-Employee (``None`` leaves the header out).
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.app = create_app(backend)

    def call(
        self,
        method: str,
        path: str,
        *,
        who: str | None = "E1008",
        bearer: str | None = None,
        json: Any = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        system = path.strip("/").split("/")[0]
        headers = {"Authorization": f"Bearer {bearer if bearer is not None else token(system)}"}
        if who is not None:
            headers["X-Acting-Employee"] = who

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://backend") as client:
                return await client.request(method, path, headers=headers, json=json, content=content)

        return asyncio.run(send())

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.call("GET", path, **options)

    def post(self, path: str, body: Any = None, **options: Any) -> httpx.Response:
        return self.call("POST", path, json=body if body is not None else {}, **options)

    def ok(self, method: str, path: str, body: Any = None, **options: Any) -> Any:
        """The JSON of a call that must succeed (200 or 201)."""
        response = self.call(method, path, json=body, **options)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def rejected(self, path: str, body: Any, **options: Any) -> dict[str, Any]:
        """The error body of a POST that a rule must refuse with 422."""
        response = self.post(path, body, **options)
        assert response.status_code == 422, response.text
        error: dict[str, Any] = response.json()
        return error
