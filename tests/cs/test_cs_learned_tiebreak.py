"""The learned tie-breaker on constructed data with known answers: it must beat the rules
where agents have habits, and must not pretend to know where they have none."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hrbot.cs.engine import attribute_sessions
from hrbot.cs.evaluation import score
from hrbot.cs.loading import cs_data_from_json
from hrbot.cs.synthetic import PRESETS, ConstructedData, generate
from hrbot.cs.tiebreak import SplitTieBreaker, StyleTieBreaker


def _overlap_accuracy(
    constructed: ConstructedData, breaker: StyleTieBreaker | SplitTieBreaker
) -> tuple[float, float]:
    data = cs_data_from_json(constructed.company)
    result = attribute_sessions(data, tie_breaker=breaker)
    scores = score(result, constructed.truth, lambda sid: [constructed.situation(sid)])
    return scores["overlap"].accuracy, scores["overlap"].mean_confidence


@pytest.fixture(scope="module")
def habits() -> ConstructedData:
    return generate(replace(PRESETS["strong_habits"], days=60, seed=11))


@pytest.fixture(scope="module")
def no_habits() -> ConstructedData:
    return generate(replace(PRESETS["demo_like"], days=60, seed=11))


def test_learned_habits_settle_overlaps_far_better_than_a_rule(habits: ConstructedData) -> None:
    learned, _ = _overlap_accuracy(habits, StyleTieBreaker())
    rule, _ = _overlap_accuracy(habits, SplitTieBreaker())

    assert learned >= 0.85
    assert learned - rule >= 0.25


def test_without_habits_the_learned_model_gives_honest_coin_flip_confidence(
    no_habits: ConstructedData,
) -> None:
    breaker = StyleTieBreaker()
    _, confidence = _overlap_accuracy(no_habits, breaker)

    assert breaker.model is not None
    assert max(breaker.model.scales.values()) <= 0.25
    assert confidence < 0.62


def test_the_calibrated_weights_follow_the_features_that_tell_agents_apart(habits: ConstructedData) -> None:
    breaker = StyleTieBreaker()
    _overlap_accuracy(habits, breaker)

    assert breaker.model is not None
    assert breaker.model.informative
    assert breaker.model.scales["template"] > 0
