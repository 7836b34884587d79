"""Starlette plumbing: tokens, the acting employee, JSON bodies, and errors as JSON.

Order of checks for every call: the system's bearer token (401), then ``X-Acting-Employee``
(400 when missing, 403 when it names no employee), then the body (400), then the handler.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hr_backend.api.call import Call, Reply
from hr_backend.api.endpoint import Endpoint
from hr_backend.backend import Backend
from hr_backend.errors import ApiError, invalid, not_found
from hr_backend.policy.access import Caller

ACTING_HEADER = "X-Acting-Employee"
MAX_BODY_BYTES = 64 * 1024
logger = logging.getLogger("hr_backend")


def error_response(error: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def check_token(request: Request, backend: Backend, system: str) -> None:
    expected = backend.tokens.for_system(system)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise ApiError(
            401, "unauthorized", f"需要{system.upper()}系统的令牌:请求头 Authorization: Bearer <token>"
        )


def acting_caller(request: Request, backend: Backend) -> Caller:
    employee_id = request.headers.get(ACTING_HEADER, "").strip()
    if not employee_id:
        raise ApiError(400, "missing_acting_employee", f"请求须在 {ACTING_HEADER} 头中注明代为操作的员工工号")
    employee = backend.dataset.employees.get(employee_id)
    if employee is None:
        raise ApiError(
            403, "unknown_acting_employee", f"{ACTING_HEADER} 中的工号 {employee_id!r} 不是本公司员工"
        )
    return Caller(employee)


async def read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise invalid("body", f"请求体不能超过{MAX_BODY_BYTES // 1024}KB")
    try:
        body = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise invalid("body", f"请求体须为 JSON 对象:{error}") from None
    if not isinstance(body, dict):
        raise invalid("body", "请求体须为 JSON 对象")
    return body


def route(endpoint: Endpoint, backend: Backend) -> Route:
    """The Starlette route serving ``endpoint``."""

    async def serve(request: Request) -> Response:
        try:
            if endpoint.system != "public":
                check_token(request, backend, endpoint.system)
            caller = acting_caller(request, backend) if endpoint.acting else None
            body = await read_body(request) if endpoint.body is not None else None
            call = Call(
                backend=backend,
                acting=caller,
                state=backend.state(),
                path=dict(request.path_params),
                query=dict(request.query_params),
                body=body,
            )
            result = endpoint.handler(call)
        except ApiError as error:
            return error_response(error)
        reply = result if isinstance(result, Reply) else Reply(result, endpoint.status)
        return JSONResponse(reply.body, status_code=reply.status)

    serve.__name__ = endpoint.operation_id
    return Route(endpoint.path, serve, methods=[endpoint.method])


async def http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods answer in the same JSON shape as every other error."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return error_response(not_found())
    if status == 405:
        return error_response(
            ApiError(405, "method_not_allowed", f"{request.url.path} 不支持 {request.method}")
        )
    return error_response(ApiError(status, "http_error", str(getattr(exc, "detail", "error"))))


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(ApiError(500, "internal_error", "后台系统出错,请稍后再试或联系HR"))
