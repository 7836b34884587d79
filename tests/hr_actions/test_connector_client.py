"""The HR systems' client: tokens and the acting employee on every call, errors classified with
friendly Chinese messages, and retries for reads only."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from actions.connectors.client import HRSystemsClient
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
from connector_support import backend_app, demo_config, in_process_client, run


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    with backend_app(tmp_path / "b.db") as served:
        yield served


def call(
    app: Any, system: str, method: str, path: str, config: SystemsConfig | None = None, **options: Any
) -> Any:
    async def go() -> Any:
        async with in_process_client(app, config=config) as client:
            return await client.request(system, method, path, **options)

    return run(go())


def failure(app: Any, system: str, method: str, path: str, **options: Any) -> ConnectorError:
    with pytest.raises(ConnectorError) as raised:
        call(app, system, method, path, **options)
    return raised.value


def test_a_read_returns_the_json_of_the_acting_employee(app: Any) -> None:
    answer = call(app, "hrm", "GET", "/hrm/leave-balances", acting="E1008", params={"leave_type": "annual"})

    assert answer["employee_id"] == "E1008"
    assert [b["leave_type"] for b in answer["balances"]] == ["annual"]


def test_a_rule_violation_carries_the_backends_reason_and_section_verbatim(app: Any) -> None:
    body = {"leave_type": "annual", "start": "2026-11-24", "days": 4}

    error = failure(app, "oa", "POST", "/oa/leave-requests", acting="E1001", body=body)

    assert isinstance(error, RequestRefused)
    assert error.user_message == "年假余额不足:剩余3天,本次需要4天(手册2.1)"
    assert (error.code, error.section, error.status) == ("insufficient_balance", "2.1", 422)


def test_someone_elses_payslip_is_not_found_like_a_missing_one(app: Any) -> None:
    hidden = failure(
        app, "hrm", "GET", "/hrm/payslips/2026-10", acting="E1008", params={"employee_id": "E1009"}
    )
    missing = failure(app, "hrm", "GET", "/hrm/payslips/2019-01", acting="E1008")

    assert isinstance(hidden, NotFound)
    assert hidden.user_message == missing.user_message == "没有查到相关记录,请核对后再试。"
    assert "E1009" not in hidden.user_message


def test_a_malformed_request_is_a_logged_bug_naming_the_field(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="actions.connectors.client"):
        error = failure(app, "hrm", "GET", "/hrm/attendance", acting="E1008", params={"month": "11/2026"})

    assert isinstance(error, BadRequest)
    assert (error.status, error.field) == (400, "month")
    assert "人事系统" in error.user_message
    assert "/hrm/attendance" in caplog.text


def test_a_wrong_token_is_a_configuration_problem(app: Any) -> None:
    wrong = SystemsConfig(url="http://backend", tokens={s: "wrong" for s in SYSTEMS})

    with pytest.raises(NotAuthorized) as raised:
        call(app, "erp", "GET", "/erp/welfare", config=wrong, acting="E1008")

    assert raised.value.status == 401
    assert raised.value.user_message == "我暂时没有访问财务系统的权限(配置问题),请联系HR或管理员处理。"


def test_withdrawing_someone_elses_leave_relays_the_backends_reason(app: Any) -> None:
    filed = call(
        app,
        "oa",
        "POST",
        "/oa/leave-requests",
        acting="E1008",
        body={"leave_type": "annual", "start": "2026-11-24"},
    )

    error = failure(app, "oa", "POST", f"/oa/leave-requests/{filed['id']}/cancel", acting="E1007")

    assert isinstance(error, NotAuthorized)
    assert (error.status, error.user_message) == (403, "请假只能由本人撤销(手册2.10)")


def test_an_acting_employee_unknown_to_the_backend_is_told_to_contact_hr(app: Any) -> None:
    error = failure(app, "pms", "GET", "/pms/assignments", acting="E9999")

    assert isinstance(error, NotAuthorized)
    assert error.user_message == "没有找到与您账号对应的员工信息,请联系HR核实。"


def test_a_path_of_another_system_is_refused_before_calling(app: Any) -> None:
    with pytest.raises(ValueError, match="does not belong to the hrm system"):
        call(app, "hrm", "GET", "/oa/todo", acting="E1008")


class Flaky:
    """A transport failing its first `failures` calls with `fail`, then answering {"ok": true}."""

    def __init__(self, failures: int, fail: Callable[[httpx.Request], httpx.Response]) -> None:
        self.failures = failures
        self.fail = fail
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.method)
        if len(self.calls) <= self.failures:
            return self.fail(request)
        return httpx.Response(200, json={"ok": True})


def refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, json={"error": "internal_error", "message": "后台系统出错"})


def through(transport: Flaky, method: str, path: str = "/oa/leave-requests", retries: int = 2) -> Any:
    async def go() -> Any:
        client = HRSystemsClient(
            demo_config(retries=retries), transport=httpx.MockTransport(transport), retry_delay=0
        )
        async with client:
            return await client.request(
                "oa", method, path, acting="E1008", body={} if method == "POST" else None
            )

    return run(go())


@pytest.mark.parametrize("fail", [refuse_connection, time_out, server_error])
def test_a_read_is_retried_after_a_transient_failure(fail: Callable[[httpx.Request], httpx.Response]) -> None:
    transport = Flaky(2, fail)

    assert through(transport, "GET") == {"ok": True}
    assert transport.calls == ["GET", "GET", "GET"]


def test_a_read_gives_up_after_its_retries() -> None:
    transport = Flaky(10, server_error)

    with pytest.raises(SystemUnavailable) as raised:
        through(transport, "GET", retries=2)

    assert len(transport.calls) == 3
    assert raised.value.user_message == "办公审批系统暂时连不上,请稍后再试;如果着急,可以直接联系HR。"


@pytest.mark.parametrize(
    ("fail", "error"),
    [(refuse_connection, SystemUnavailable), (time_out, SystemTimeout), (server_error, SystemUnavailable)],
)
def test_a_write_is_never_retried(
    fail: Callable[[httpx.Request], httpx.Response], error: type[Exception]
) -> None:
    transport = Flaky(1, fail)

    with pytest.raises(error):
        through(transport, "POST")

    assert transport.calls == ["POST"]


def test_a_write_that_timed_out_warns_it_may_have_been_filed() -> None:
    with pytest.raises(SystemTimeout) as raised:
        through(Flaky(1, time_out), "POST")

    assert raised.value.write
    assert "可能已经成功" in raised.value.user_message


def test_a_read_that_timed_out_asks_to_try_again_later() -> None:
    with pytest.raises(SystemTimeout) as raised:
        through(Flaky(5, time_out), "GET", retries=0)

    assert raised.value.user_message == "办公审批系统响应太慢,这次没能查到结果,请稍后再试。"
