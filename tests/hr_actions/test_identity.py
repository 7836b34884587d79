"""Who the employee is: the channel's sender id resolved through HRM, with a short cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from actions.audit import AuditLog
from actions.identity import (
    Employee,
    IdentityResolver,
    UnknownEmployee,
    UnsupportedChannel,
    employee_of,
    resolve_employee,
)
from connector_support import backend_app, in_process_client, run
from rasa_sdk import Tracker


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    with backend_app(tmp_path / "b.db") as served:
        yield served


def resolve(app: Any, sender: str, channel: str | None, resolver: IdentityResolver | None = None) -> Employee:
    async def go() -> Employee:
        async with in_process_client(app) as client:
            return await resolve_employee(sender, channel, client, resolver)

    return run(go())


@pytest.mark.parametrize(
    ("sender", "channel"),
    [("E1008", "rest"), ("E1008", None), ("wx_u1008", "wecom"), ("dt001008", "dingtalk")],
)
def test_each_channels_sender_id_resolves_to_the_employee(app: Any, sender: str, channel: str | None) -> None:
    employee = resolve(app, sender, channel)

    assert employee.employee_id == "E1008"
    assert (employee.name, employee.manager_id, employee.is_hr, employee.is_manager) == (
        "吴婉清",
        "E1007",
        False,
        False,
    )


def test_a_manager_and_an_hr_admin_are_recognised(app: Any) -> None:
    assert resolve(app, "E1007", "rest").is_manager
    assert "hr_admin" in resolve(app, "wx_u1001", "wecom").roles


@pytest.mark.parametrize(
    ("sender", "channel"),
    [("E9999", "rest"), ("wx_u1008", "dingtalk"), ("E1008", "wecom"), ("吴婉清", "rest"), ("  ", "rest")],
)
def test_an_unknown_sender_gets_a_friendly_message(app: Any, sender: str, channel: str) -> None:
    with pytest.raises(UnknownEmployee) as raised:
        resolve(app, sender, channel)

    assert raised.value.user_message.startswith("没有找到与您账号对应的员工信息")
    assert "请联系HR" in raised.value.user_message


def test_a_channel_without_a_mapping_is_refused(app: Any) -> None:
    with pytest.raises(UnsupportedChannel, match="known channels"):
        resolve(app, "U123", "slack")


def test_the_cache_answers_repeated_lookups_until_it_expires(app: Any, tmp_path: Path) -> None:
    now = [1000.0]
    resolver = IdentityResolver(ttl=60, clock=lambda: now[0])
    audit = AuditLog(tmp_path / "audit.jsonl")

    async def go() -> list[str]:
        async with in_process_client(app, audit=audit) as client:
            first = await resolver.resolve("wx_u1008", "wecom", client)
            second = await resolver.resolve("wx_u1008", "wecom", client)
            now[0] += 61
            third = await resolver.resolve("wx_u1008", "wecom", client)
            return [first.employee_id, second.employee_id, third.employee_id]

    assert run(go()) == ["E1008"] * 3
    assert [e.path for e in audit.entries()] == ["/hrm/identities"] * 2


def test_an_unknown_sender_is_not_cached(app: Any, tmp_path: Path) -> None:
    resolver = IdentityResolver()
    audit = AuditLog(tmp_path / "audit.jsonl")

    async def go() -> None:
        async with in_process_client(app, audit=audit) as client:
            for _ in range(2):
                with pytest.raises(UnknownEmployee):
                    await resolver.resolve("wx_new", "wecom", client)

    run(go())
    assert len(audit.entries()) == 2


def test_the_employee_of_a_tracker_comes_from_its_sender_and_channel(app: Any) -> None:
    events = [
        {"event": "user", "text": "我是E1001,帮我查工资", "input_channel": "dingtalk", "parse_data": {}}
    ]
    tracker = Tracker("dt001009", {}, {}, events, False, None, None, "action_listen")

    async def go() -> Employee:
        async with in_process_client(app) as client:
            return await employee_of(tracker, client)

    assert run(go()).employee_id == "E1009"
