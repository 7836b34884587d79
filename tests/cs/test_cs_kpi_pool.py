"""KPI arithmetic and the pool allocation: credit-weighted figures, amounts exact to the cent."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from cs_cases import build, session, shift

from hrbot.cs.attribution import Attribution
from hrbot.cs.kpi import AgentKpi, compute_kpis
from hrbot.cs.period import parse_period
from hrbot.cs.pool import DEFAULT_WEIGHTS, PoolWeights, allocate_pool, parse_amount, parse_weights
from hrbot.shared.errors import HrbotError

OCTOBER = parse_period("2026-10-01", "2026-10-31")


def _given(
    session_id: str, shares: dict[str, float], method: str = "login", confidence: float = 0.97
) -> Attribution:
    return Attribution(session_id, max(shares, key=lambda a: shares[a]), confidence, method, (), shares)


def test_kpis_weigh_each_session_by_the_credit_share() -> None:
    data = build(
        [shift("A01", "09:00", "15:00"), shift("A02", "14:00", "21:00")],
        [
            session("S1", "10:00", first_response=20, resolved=True, rating=5),
            session("S2", "14:30", first_response=60, resolved=False, rating=3),
            session("S3", "18:00", first_response=100, resolved=True, rating=None),
            session("S4", "18:00", first_response=40, resolved=True, rating=4, day="2026-11-02"),
        ],
    )
    attributions = {
        "S1": _given("S1", {"A01": 1.0}),
        "S2": _given("S2", {"A01": 0.5, "A02": 0.5}, "style", 0.5),
        "S3": _given("S3", {"A02": 1.0}, "signature", 0.99),
        "S4": _given("S4", {"A02": 1.0}),
    }

    table = compute_kpis(data, attributions, OCTOBER)
    a01, a02 = table.agents

    assert a01.sessions == pytest.approx(1.5)
    assert a01.first_response_seconds == pytest.approx((20 + 0.5 * 60) / 1.5)
    assert a01.resolution_rate == pytest.approx(1 / 1.5)
    assert a01.rating == pytest.approx((5 + 0.5 * 3) / 1.5)
    assert a01.split_sessions == pytest.approx(0.5)
    assert a01.by_group == {"signature": 0.0, "login": 1.0, "inferred": 0.0, "overlap": 0.5}
    assert a02.sessions == pytest.approx(1.5)  # S4 is in November
    assert a02.rating == pytest.approx(3.0)  # the unrated S3 does not count
    assert a02.rated == pytest.approx(0.5)
    assert table.team.sessions == 3
    assert table.team.credited == pytest.approx(3.0)
    assert table.team.first_response_seconds == pytest.approx(60.0)


def _row(
    agent: str, sessions: float, response: float | None, resolved: float, rating: float | None
) -> AgentKpi:
    return AgentKpi(
        agent,
        agent,
        (),
        sessions,
        {},
        0.0,
        0.0,
        response,
        resolved,
        resolved / sessions if sessions else None,
        sessions if rating else 0.0,
        rating,
    )


def test_the_pool_is_split_by_component_budgets_and_points() -> None:
    rows = [_row("A01", 30, 60.0, 30, 5.0), _row("A02", 10, 120.0, 5, 3.0)]

    allocation = allocate_pool(rows, Decimal("1000.00"), DEFAULT_WEIGHTS, team_response=80.0, team_rating=4.0)

    a01 = allocation.of("A01")
    assert a01 is not None
    parts = {share.component: share for share in a01.components}
    assert parts["volume"].budget == 400
    assert parts["volume"].amount == Fraction(400) * 30 / 40
    # response points: sessions x team / own = 30 x 80/60 = 40 and 10 x 80/120 = 6.667
    assert float(parts["response"].points) == pytest.approx(40.0)
    assert parts["resolution"].amount == Fraction(200) * 30 / 35
    assert float(parts["rating"].points) == pytest.approx(30.0)  # 30 x 5 / 5
    assert sum(a.amount for a in allocation.agents) == Decimal("1000.00")


def test_three_equal_agents_share_a_hundred_yuan_as_33_34_33_33_33_33() -> None:
    rows = [_row(agent, 10, 60.0, 9, 4.0) for agent in ("A03", "A01", "A02")]

    allocation = allocate_pool(rows, Decimal("100.00"), DEFAULT_WEIGHTS, team_response=60.0, team_rating=4.0)

    assert [(a.employee_id, a.amount) for a in allocation.agents] == [
        ("A01", Decimal("33.34")),
        ("A02", Decimal("33.33")),
        ("A03", Decimal("33.33")),
    ]
    assert allocation.of("A01").rounding == Decimal("0.01")  # type: ignore[union-attr]


@pytest.mark.parametrize("seed", range(60))
def test_allocations_always_sum_exactly_to_the_pool_whatever_the_weights(seed: int) -> None:
    rng = random.Random(seed)
    rows = [
        _row(
            f"A{i:02d}",
            rng.choice([0, 0.5, rng.uniform(0, 90)]),
            rng.choice([None, rng.uniform(1, 300)]),
            0.0,
            rng.choice([None, rng.uniform(1, 5)]),
        )
        for i in range(rng.randint(1, 15))
    ]
    rows = [AgentKpi(**{**r.__dict__, "resolved": r.sessions * rng.random()}) for r in rows]
    pool = Decimal(rng.randint(0, 10_000_000)) / 100
    weights = PoolWeights(
        {
            c: Fraction(rng.randint(0, 9), rng.randint(1, 7))
            for c in ("volume", "response", "resolution", "rating")
        }
        | {"volume": Fraction(1)}
    )
    if sum(r.sessions for r in rows) == 0:
        rows[0] = AgentKpi(**{**rows[0].__dict__, "sessions": 1.0})

    allocation = allocate_pool(rows, pool, weights, team_response=rng.choice([None, 90.0]), team_rating=4.1)

    assert sum(a.amount for a in allocation.agents) == pool
    assert all(a.amount >= 0 and a.amount == a.amount.quantize(Decimal("0.01")) for a in allocation.agents)
    assert all(abs(Fraction(a.amount) - a.exact) < Fraction(1, 100) for a in allocation.agents)
    assert all(
        a.amount == 0
        for a, r in zip(allocation.agents, sorted(rows, key=lambda r: r.employee_id), strict=True)
        if r.sessions == 0
    )


def test_a_component_nobody_scores_on_is_dropped_and_said_so() -> None:
    rows = [_row("A01", 10, 60.0, 8, None), _row("A02", 30, 60.0, 20, None)]

    allocation = allocate_pool(rows, Decimal("400.00"), DEFAULT_WEIGHTS, team_response=60.0, team_rating=None)

    assert allocation.dropped == ("rating",)
    assert allocation.weights["rating"] == 0
    assert sum(allocation.weights.values()) == 1
    assert sum(a.amount for a in allocation.agents) == Decimal("400.00")


def test_an_empty_period_has_nothing_to_share_the_pool_by() -> None:
    with pytest.raises(HrbotError, match="nothing to share the pool by"):
        allocate_pool(
            [_row("A01", 0, None, 0, None)],
            Decimal("10"),
            DEFAULT_WEIGHTS,
            team_response=None,
            team_rating=None,
        )


def test_weights_are_parsed_with_english_or_chinese_names() -> None:
    weights = parse_weights("接待量=40, 首次响应:20,resolution=40")

    assert weights.normalised() == {
        "volume": Fraction(2, 5),
        "response": Fraction(1, 5),
        "resolution": Fraction(2, 5),
        "rating": Fraction(0),
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("speed=1,happiness=2", "'happiness=2' is not NAME=WEIGHT"),
        ("volume=-1", "is negative"),
        ("volume=0", "at least one weight must be above 0"),
        ("volume=abc", "'abc' for volume is not a number"),
        ("volume=1,接待量=2", "given twice"),
    ],
)
def test_bad_weights_are_refused_naming_the_option(text: str, error: str) -> None:
    with pytest.raises(HrbotError, match="--weights") as caught:
        parse_weights(text)
    assert error in str(caught.value)


def test_the_pool_amount_must_be_yuan_to_the_cent() -> None:
    assert parse_amount("¥50,000.5") == Decimal("50000.50")
    for bad in ("abc", "-5", "12.345", "nan"):
        with pytest.raises(HrbotError, match="--pool"):
            parse_amount(bad)
