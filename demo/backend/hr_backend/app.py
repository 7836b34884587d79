"""The ASGI app: every endpoint of the registry, ``/openapi.json``, JSON errors.

    backend = open_backend(Settings(data_path=..., db_path=...))
    app = create_app(backend)

The app keeps no state of its own: everything lives in the ``Backend`` passed in, which the
caller closes when done.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hr_backend.api.http import http_error, route, server_error
from hr_backend.api.openapi import build_openapi
from hr_backend.api.registry import ENDPOINTS
from hr_backend.backend import Backend


def create_app(backend: Backend) -> Starlette:
    spec = build_openapi(ENDPOINTS)

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(spec)

    routes = [Route("/openapi.json", openapi, methods=["GET"]), *(route(e, backend) for e in ENDPOINTS)]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.backend = backend
    return app
