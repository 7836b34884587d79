"""Share a performance pool among agents by a weighted formula, exactly to the cent.

The pool is cut into one budget per component, in proportion to the weights; each budget is
shared out in proportion to the agents' points for that component:

    volume      sessions handled (credit-weighted)
    response    sessions x team mean first response / own mean first response
                (answering twice as fast as the team doubles the points per session)
    resolution  resolved sessions
    rating      sessions x own mean rating / 5 (the team mean for an agent nobody rated)

Every component scales with volume, so nobody earns more by handling less; the quality terms
move money towards the agents who do the same work better. A component nobody scores on
(no ratings at all in the period, say) is dropped and the others' weights scaled up, and the
report says so. All sums are exact fractions; only the final amounts are rounded, by the
largest-remainder method, so they add up to the pool to the cent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from hrbot.cs.kpi import AgentKpi
from hrbot.shared.errors import HrbotError

COMPONENTS = ("volume", "response", "resolution", "rating")
COMPONENT_NAMES_ZH = {
    "volume": "接待量",
    "response": "首次响应",
    "resolution": "解决率",
    "rating": "客户评分",
}
ALIASES = {
    **{name: name for name in COMPONENTS},
    **{zh: en for en, zh in COMPONENT_NAMES_ZH.items()},
    "sessions": "volume",
    "speed": "response",
    "first_response": "response",
    "resolved": "resolution",
    "satisfaction": "rating",
}
DEFAULT_WEIGHTS_TEXT = "volume=0.4,response=0.2,resolution=0.2,rating=0.2"
CENT = Fraction(1, 100)


@dataclass(frozen=True)
class PoolWeights:
    """Component -> non-negative weight (need not sum to 1; only the ratios matter)."""

    values: Mapping[str, Fraction]

    def normalised(self, components: Sequence[str] = COMPONENTS) -> dict[str, Fraction]:
        total = sum((self.values.get(c, Fraction(0)) for c in components), Fraction(0))
        if total == 0:
            return dict.fromkeys(components, Fraction(0))
        return {c: self.values.get(c, Fraction(0)) / total for c in components}

    def describe(self) -> str:
        shares = self.normalised()
        return "、".join(f"{COMPONENT_NAMES_ZH[c]} {float(shares[c]):.0%}" for c in COMPONENTS if shares[c])


DEFAULT_WEIGHTS = PoolWeights(
    {
        "volume": Fraction(2, 5),
        "response": Fraction(1, 5),
        "resolution": Fraction(1, 5),
        "rating": Fraction(1, 5),
    }
)


def parse_weights(text: str) -> PoolWeights:
    """'volume=0.4,response=0.2,...' (also 接待量=40 or ':' for '='); parts left out are 0."""
    example = f"e.g. --weights {DEFAULT_WEIGHTS_TEXT}"
    values: dict[str, Fraction] = {}
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        key, sep, number = part.replace(":", "=").replace("：", "=").partition("=")
        name = ALIASES.get(key.strip().lower())
        if not sep or name is None:
            raise HrbotError(
                f"--weights: '{part}' is not NAME=WEIGHT with NAME one of {', '.join(COMPONENTS)}; {example}"
            )
        if name in values:
            raise HrbotError(f"--weights: '{key.strip()}' is given twice; {example}")
        try:
            weight = Fraction(Decimal(number.strip()))
        except (InvalidOperation, ValueError):
            raise HrbotError(f"--weights: '{number.strip()}' for {name} is not a number; {example}") from None
        if weight < 0:
            raise HrbotError(
                f"--weights: {name} weight {number.strip()} is negative; weights must be 0 or more"
            )
        values[name] = weight
    if not values or sum(values.values()) == 0:
        raise HrbotError(f"--weights: at least one weight must be above 0; {example}")
    return PoolWeights(values)


def parse_amount(text: str) -> Decimal:
    """A pool amount in yuan, at most two decimals, not negative."""
    try:
        amount = Decimal(text.strip().replace(",", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation:
        raise HrbotError(
            f"--pool: '{text}' is not an amount; give yuan, e.g. --pool 50000 or 50000.50"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise HrbotError(f"--pool: '{text}' must be a positive amount of yuan, e.g. --pool 50000")
    if amount != amount.quantize(Decimal("0.01")):
        raise HrbotError(f"--pool: '{text}' has more than two decimals; round it to the cent")
    return amount.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ComponentShare:
    """One component of one agent's allocation."""

    component: str
    points: Fraction
    team_points: Fraction
    budget: Fraction
    amount: Fraction  # exact: budget x points / team_points


@dataclass(frozen=True)
class AgentAllocation:
    employee_id: str
    components: tuple[ComponentShare, ...]
    exact: Fraction
    amount: Decimal  # rounded to the cent; the amounts of all agents sum to the pool

    @property
    def rounding(self) -> Decimal:
        """What the largest-remainder rounding added (0.01) or not (0.00) to the floor."""
        return self.amount - _cents(math.floor(self.exact * 100))


@dataclass(frozen=True)
class PoolAllocation:
    pool: Decimal
    requested: PoolWeights
    weights: dict[str, Fraction]  # the weights applied, after dropping empty components
    dropped: tuple[str, ...]
    team_response_seconds: float | None
    team_rating: float | None
    agents: tuple[AgentAllocation, ...]

    def of(self, employee_id: str) -> AgentAllocation | None:
        return next((a for a in self.agents if a.employee_id == employee_id), None)


def _exact(value: float) -> Fraction:
    """A float as the exact decimal it prints as (to 6 places), so sums stay readable."""
    return Fraction(Decimal(f"{value:.6f}"))


def component_points(
    row: AgentKpi, team_response: float | None, team_rating: float | None
) -> dict[str, float]:
    """The points an agent scores on each component (see the module docstring)."""
    response_factor = 1.0
    if team_response is not None and row.first_response_seconds is not None:
        response_factor = team_response / max(row.first_response_seconds, 1.0)
    rating = row.rating if row.rating is not None else team_rating
    return {
        "volume": row.sessions,
        "response": row.sessions * response_factor if team_response is not None else 0.0,
        "resolution": row.resolved,
        "rating": row.sessions * rating / 5 if rating is not None else 0.0,
    }


def allocate_pool(
    rows: Sequence[AgentKpi],
    pool: Decimal,
    weights: PoolWeights = DEFAULT_WEIGHTS,
    *,
    team_response: float | None,
    team_rating: float | None,
) -> PoolAllocation:
    """Each agent's amount; the amounts sum to `pool` exactly. `team_response` and
    `team_rating` are the team means the quality points are relative to."""
    points = {
        row.employee_id: {c: _exact(v) for c, v in component_points(row, team_response, team_rating).items()}
        for row in rows
    }
    team = {c: sum((p[c] for p in points.values()), Fraction(0)) for c in COMPONENTS}
    requested = weights.normalised()
    dropped = tuple(c for c in COMPONENTS if requested[c] > 0 and team[c] == 0)
    live = [c for c in COMPONENTS if requested[c] > 0 and team[c] > 0]
    if not live:
        raise HrbotError(
            "no agent scored on any weighted component in this period (no sessions credited?): "
            "there is nothing to share the pool by; check --from/--to and --weights"
        )
    applied = weights.normalised(live)
    budgets = {c: Fraction(pool) * applied[c] for c in live}
    exact: dict[str, list[ComponentShare]] = {}
    for agent, own in points.items():
        exact[agent] = [
            ComponentShare(c, own[c], team[c], budgets[c], budgets[c] * own[c] / team[c]) for c in live
        ]
    amounts = _largest_remainder(
        {a: sum((s.amount for s in shares), Fraction(0)) for a, shares in exact.items()}, pool
    )
    allocations = tuple(
        AgentAllocation(
            agent, tuple(exact[agent]), sum((s.amount for s in exact[agent]), Fraction(0)), amounts[agent]
        )
        for agent in sorted(exact)
    )
    return PoolAllocation(
        pool,
        weights,
        {c: applied.get(c, Fraction(0)) for c in COMPONENTS},
        dropped,
        team_response,
        team_rating,
        allocations,
    )


def _largest_remainder(exact: Mapping[str, Fraction], pool: Decimal) -> dict[str, Decimal]:
    """Round to cents so the total is `pool`: floor everyone, then give the cents left over
    one each to the largest remainders (ties: the larger amount, then the employee id)."""
    cents = {agent: math.floor(value / CENT) for agent, value in exact.items()}
    left = int(pool * 100) - sum(cents.values())
    order = sorted(exact, key=lambda a: (-(exact[a] / CENT - cents[a]), -exact[a], a))
    if not 0 <= left <= len(order):
        raise AssertionError(f"rounding left {left} cents for {len(order)} agents")
    for agent in order[:left]:
        cents[agent] += 1
    return {agent: _cents(n) for agent, n in cents.items()}


def _cents(count: int) -> Decimal:
    return (Decimal(count) / 100).quantize(Decimal("0.01"))
