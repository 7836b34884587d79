"""Attribution of the demo company's sessions (demo/company.json): every session on a shared
account gets an agent, consistent with the signatures and logins the data holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.cs.engine import attribute_sessions
from hrbot.cs.loading import load_cs_data
from hrbot.cs.nicknames import SignatureReader
from hrbot.cs.period import parse_period
from hrbot.cs.records import CsData

DEMO = Path(__file__).resolve().parents[2] / "demo" / "company.json"


@pytest.fixture(scope="module")
def demo() -> CsData:
    return load_cs_data(DEMO)


def test_every_demo_session_is_attributed_with_shares_that_sum_to_one(demo: CsData) -> None:
    result = attribute_sessions(demo)

    assert len(result) == len(demo.sessions)
    for outcome in result.values():
        assert outcome.agent_id in demo.agents
        assert sum(outcome.shares.values()) == pytest.approx(1.0, abs=1e-9)
        assert outcome.agent_id in outcome.shares
        assert 0.0 < outcome.confidence <= 1.0


def test_every_signed_demo_session_goes_to_the_signer(demo: CsData) -> None:
    reader = SignatureReader({a.employee_id: a.nicknames for a in demo.agents.values()})
    result = attribute_sessions(demo)

    signed = [(s, reader.read(s.first_agent_message).signers) for s in demo.sessions]
    signed = [(s, signers) for s, signers in signed if signers]
    assert len(signed) > 400
    assert all(result[s.id].agent_id == signers[0] for s, signers in signed)


def test_a_period_returns_only_its_sessions(demo: CsData) -> None:
    period = parse_period("2026-10-12", "2026-10-16")

    result = attribute_sessions(demo, period=period)

    assert result
    assert all(period.contains(s.start, demo.timezone) for s in demo.sessions if s.id in result)
    assert sum(1 for s in demo.sessions if period.contains(s.start, demo.timezone)) == len(result)
