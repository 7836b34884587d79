"""Background work: one user's messages run one after another in the order they arrived, even
when a later one is decided first; different users do not wait for each other."""

from __future__ import annotations

import asyncio
import logging

import pytest

from hrbot.channels.wecom.dispatch import DispatcherClosed, Job, SerialDispatcher


def recorder(log: list[str], name: str, delay: float = 0.0) -> Job:
    async def job() -> None:
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")

    return job


def test_one_users_jobs_run_in_reservation_order_even_when_filled_in_reverse() -> None:
    log: list[str] = []

    async def scenario() -> None:
        dispatcher = SerialDispatcher()
        first, second = dispatcher.reserve("alice"), dispatcher.reserve("alice")
        second.fill(recorder(log, "second"))
        await asyncio.sleep(0.02)  # the second is ready, but the first is still being decided
        assert log == []
        first.fill(recorder(log, "first", delay=0.02))
        await dispatcher.wait_idle(5)

    asyncio.run(scenario())

    assert log == ["start first", "end first", "start second", "end second"]


def test_different_users_are_served_at_the_same_time() -> None:
    log: list[str] = []

    async def scenario() -> None:
        dispatcher = SerialDispatcher()
        dispatcher.reserve("alice").fill(recorder(log, "alice", delay=0.05))
        dispatcher.reserve("bob").fill(recorder(log, "bob", delay=0.0))
        await dispatcher.wait_idle(5)

    asyncio.run(scenario())

    assert log.index("end bob") < log.index("end alice")


def test_a_skipped_place_lets_the_next_job_run_and_a_place_left_by_an_error_is_skipped() -> None:
    log: list[str] = []

    async def scenario() -> None:
        dispatcher = SerialDispatcher()
        dispatcher.reserve("alice").skip()
        with pytest.raises(RuntimeError), dispatcher.reserve("alice"):
            raise RuntimeError("the handler failed before deciding")
        dispatcher.reserve("alice").fill(recorder(log, "third"))
        await dispatcher.wait_idle(5)
        assert dispatcher.busy_keys == []

    asyncio.run(scenario())

    assert log == ["start third", "end third"]


def test_a_failing_job_is_logged_and_the_users_next_job_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    log: list[str] = []

    async def failing() -> None:
        raise ValueError("the dialogue engine broke")

    async def scenario() -> None:
        dispatcher = SerialDispatcher("wecom")
        dispatcher.reserve("alice").fill(failing)
        dispatcher.reserve("alice").fill(recorder(log, "next"))
        await dispatcher.wait_idle(5)

    with caplog.at_level(logging.ERROR):
        asyncio.run(scenario())

    assert log == ["start next", "end next"]
    assert "a wecom job for 'alice' failed" in caplog.text and "the dialogue engine broke" in caplog.text


def test_closing_finishes_running_work_and_refuses_new_work() -> None:
    log: list[str] = []

    async def scenario() -> None:
        dispatcher = SerialDispatcher()
        dispatcher.reserve("alice").fill(recorder(log, "running", delay=0.05))
        await dispatcher.aclose(grace=5)
        with pytest.raises(DispatcherClosed):
            dispatcher.reserve("alice")

    asyncio.run(scenario())

    assert log == ["start running", "end running"]


def test_work_still_running_after_the_grace_period_is_cancelled_and_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log: list[str] = []

    async def scenario() -> None:
        dispatcher = SerialDispatcher("wecom")
        dispatcher.reserve("alice").fill(recorder(log, "stuck", delay=30))
        dispatcher.reserve("alice").fill(recorder(log, "waiting"))
        await dispatcher.aclose(grace=0.05)
        assert dispatcher.busy_keys == []

    with caplog.at_level(logging.ERROR):
        asyncio.run(scenario())

    assert log == ["start stuck"]
    assert "still busy" in caplog.text and "1 wecom message(s) of 'alice' were dropped" in caplog.text
