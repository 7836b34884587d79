"""The constructed-data generator (known answers for tests and the benchmark) and the scoring."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hrbot.cs.attribution import Attribution, rounded_shares
from hrbot.cs.evaluation import calibration, score, volume_error
from hrbot.cs.loading import cs_data_from_json
from hrbot.cs.synthetic import PRESETS, generate


def test_the_same_scenario_and_seed_give_the_same_data() -> None:
    scenario = replace(PRESETS["everything"], days=10)

    assert generate(scenario).company == generate(scenario).company
    assert generate(scenario).company != generate(replace(scenario, seed=99)).company


def test_constructed_data_loads_and_every_session_has_a_true_agent_and_a_situation() -> None:
    constructed = generate(replace(PRESETS["everything"], days=20))

    data = cs_data_from_json(constructed.company)

    assert {s.id for s in data.sessions} == set(constructed.truth)
    assert set(constructed.truth.values()) <= set(data.agents)
    situations = {constructed.situation(sid) for sid in constructed.truth}
    assert {"signed", "single", "overlap", "missing_login"} <= situations


def test_missing_logins_drop_shift_records_but_not_the_work() -> None:
    full = generate(replace(PRESETS["demo_like"], days=20))
    gappy = generate(replace(PRESETS["demo_like"], days=20, missing_login_rate=0.3))

    assert len(gappy.company["cs_account_shifts"]) < 0.85 * len(full.company["cs_account_shifts"])
    assert any("missing_login" in tags for tags in gappy.tags.values())


def test_scores_count_guesses_credit_and_volume_error() -> None:
    truth = {"S1": "A", "S2": "B", "S3": "A"}
    found = {
        "S1": Attribution("S1", "A", 0.99, "signature", (), {"A": 1.0}),
        "S2": Attribution("S2", "A", 0.6, "style", (), {"A": 0.6, "B": 0.4}),
        "S3": Attribution("S3", "B", 0.97, "login", (), {"B": 1.0}),
    }

    overall = score(found, truth)["all"]

    assert overall.accuracy == 1 / 3
    assert overall.credit_accuracy == (1.0 + 0.4 + 0.0) / 3
    assert volume_error(found, truth) == pytest.approx(
        (abs(1.6 - 2) + abs(1.4 - 1)) / 3
    )  # A 1.6 of 2, B 1.4 of 1
    assert sum(b.sessions for b in calibration(found, truth)) == 3


def test_rounded_shares_sum_to_exactly_one() -> None:
    shares = rounded_shares({"A": 1.0, "B": 1.0, "C": 1.0})

    assert shares == {"A": 0.3334, "B": 0.3333, "C": 0.3333}
    assert round(sum(shares.values()), 10) == 1.0
    assert rounded_shares({"A": 0.0}) == {}
