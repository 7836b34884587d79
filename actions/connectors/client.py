"""An async HTTP client for the company's HR systems (HRM, ERP, OA, CRM, PMS).

Every call names the system (which picks the bearer token) and the employee the bot acts for
(`X-Acting-Employee`), is audited, and either returns the JSON object the system answered or
raises one of the `ConnectorError`s of `actions.connectors.errors`. Reads (GET) are retried
after a connection failure, a timeout or a 5xx; writes never are, so nothing is filed twice.

    async with HRSystemsClient(load_systems_config(), audit=AuditLog.from_env()) as client:
        balances = await client.request("hrm", "GET", "/hrm/leave-balances", acting="E1008")

Tests pass `transport=httpx.ASGITransport(app=...)` to call a backend in-process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from actions.audit import AuditLog
from actions.connectors.config import SYSTEMS, SystemsConfig
from actions.connectors.errors import (
    BadRequest,
    ConnectorError,
    NotAuthorized,
    NotFound,
    RequestRefused,
    SystemTimeout,
    SystemUnavailable,
)

JSON = dict[str, Any]
ACTING_HEADER = "X-Acting-Employee"
IDEMPOTENT_METHODS = frozenset({"GET"})
DEFAULT_RETRY_DELAY = 0.2

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class _Retryable(Exception):
    """An attempt that failed in a way a read may retry; carries the error to raise at the end."""

    def __init__(self, error: ConnectorError) -> None:
        super().__init__(error.detail)
        self.error = error


class HRSystemsClient:
    """One connection pool to the HR systems; close it (or use `async with`) when done."""

    def __init__(
        self,
        config: SystemsConfig,
        *,
        audit: AuditLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self.audit = audit
        self._retry_delay = retry_delay
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=config.url, timeout=httpx.Timeout(config.timeout), transport=transport
        )

    async def __aenter__(self) -> HRSystemsClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        system: str,
        method: str,
        path: str,
        *,
        acting: str | None,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        target: str | None = None,
    ) -> JSON:
        """Calls `path` of `system` for the employee `acting` (None only for the identity look-up)
        and returns the JSON object answered. `target` is whose data is read, for the audit
        (default: the `employee_id` parameter, else the acting employee)."""
        if system not in SYSTEMS:
            raise ValueError(f"unknown HR system {system!r}; known: {', '.join(SYSTEMS)}")
        if not path.startswith(f"/{system}/"):
            raise ValueError(f"path {path!r} does not belong to the {system} system (/{system}/...)")
        method = method.upper()
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        headers = {"Authorization": f"Bearer {self.config.token(system)}"}
        if acting is not None:
            headers[ACTING_HEADER] = acting
        attempts_allowed = 1 + (self.config.retries if method in IDEMPOTENT_METHODS else 0)

        started = time.monotonic()
        status: int | None = None
        attempt = 0
        outcome, error_code = "interrupted", None
        try:
            while True:
                attempt += 1
                try:
                    status, answer = await self._attempt(system, method, path, query, body, headers)
                    outcome = "ok"
                    return answer
                except _Retryable as failure:
                    status = failure.error.status
                    if attempt >= attempts_allowed:
                        raise failure.error from None
                    logger.info(
                        "retrying %s %s (%s), attempt %d", method, path, failure.error.detail, attempt
                    )
                    await self._sleep(self._retry_delay * attempt)
        except ConnectorError as error:
            outcome, error_code, status = type(error).__name__, error.code, error.status
            _log(error, method, path, acting)
            raise
        finally:
            if self.audit is not None:
                self.audit.record(
                    acting_employee=acting,
                    system=system,
                    method=method,
                    path=path,
                    params=query,
                    target_employee=target if target is not None else query.get("employee_id"),
                    status=status,
                    outcome=outcome,
                    error_code=error_code,
                    attempts=attempt,
                    duration_ms=round((time.monotonic() - started) * 1000),
                )

    async def _attempt(
        self,
        system: str,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> tuple[int, JSON]:
        write = method not in IDEMPOTENT_METHODS
        try:
            response = await self._http.request(
                method, path, params=query, json=dict(body) if body is not None else None, headers=headers
            )
        except httpx.ConnectTimeout as error:
            raise _Retryable(
                SystemUnavailable(system, f"{method} {path}: connect timeout ({error!r})")
            ) from None
        except httpx.TimeoutException as error:
            raise _Retryable(SystemTimeout(system, f"{method} {path}: {error!r}", write=write)) from None
        except httpx.TransportError as error:
            raise _Retryable(SystemUnavailable(system, f"{method} {path}: {error!r}")) from None
        return response.status_code, _answer(system, method, path, response)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _answer(system: str, method: str, path: str, response: httpx.Response) -> JSON:
    """The JSON object of a 2xx answer, or the error the status and body stand for."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    where = f"{method} {path} -> {status}"
    if 200 <= status < 300:
        if not isinstance(body, dict):
            raise SystemUnavailable(system, f"{where}: the answer is not a JSON object", status=status)
        return body
    error = body if isinstance(body, dict) else {}
    code = _text(error.get("error"))
    message = _text(error.get("message"))
    detail = f"{where} {code or ''}: {message or response.text[:200]}"
    if status >= 500:
        raise _Retryable(SystemUnavailable(system, detail, status=status))
    if status == 422:
        raise RequestRefused(
            system,
            message or "这项申请不符合公司规定,未能提交。",
            detail,
            code=code,
            section=_text(error.get("section")),
        )
    if status == 404:
        raise NotFound(system, detail)
    if status in (401, 403):
        raise NotAuthorized(system, detail, status=status, code=code, message=message)
    if status in (400, 405):
        raise BadRequest(system, detail, status=status, code=code, field=_text(error.get("field")))
    raise SystemUnavailable(system, f"{detail} (unexpected status)", status=status)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _log(error: ConnectorError, method: str, path: str, acting: str | None) -> None:
    if isinstance(error, BadRequest | NotAuthorized) and error.status != 403:
        logger.error("HR system call failed (bot bug or configuration) for %s: %s", acting, error.detail)
    elif isinstance(error, SystemUnavailable | SystemTimeout):
        logger.warning("HR system unreachable for %s: %s", acting, error.detail)
    else:
        logger.info("HR system refused %s %s for %s: %s", method, path, acting, error.detail)


@dataclass(frozen=True)
class SystemCall:
    """Calls to one system on behalf of one employee: what the per-system wrappers are built on."""

    client: HRSystemsClient
    system: str
    employee_id: str

    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, target: str | None = None
    ) -> JSON:
        return await self.client.request(
            self.system, "GET", path, acting=self.employee_id, params=params, target=target
        )

    async def post(self, path: str, body: Mapping[str, Any] | None = None) -> JSON:
        payload = {k: _body_value(v) for k, v in (body or {}).items() if v is not None}
        return await self.client.request(self.system, "POST", path, acting=self.employee_id, body=payload)

    async def preview(self, path: str, body: Mapping[str, Any] | None = None) -> JSON:
        """A POST that files nothing (a preview): its timeout is a read's, so the employee is
        not told that something "may have been submitted"."""
        try:
            return await self.post(path, body)
        except SystemTimeout as timeout:
            raise SystemTimeout(timeout.system, timeout.detail, write=False) from None


def _body_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_body_value(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value
