"""The HR project's own test stories (tests/test_hr_*.yml, what `hrbot test` runs at the
repository root) pass on a model trained from the project: every intent of the contract and every
path of every form (happy, correction, digression, cancellation, validation failure)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_project
from hrbot.shared.core.stories import read_test_stories
from hrbot.shared.core.story_types import ActiveLoopStep, UserStep
from hrbot.shared.nlu.rasa_yaml import load_nlu_data
from hrbot.testing.story_test import failure_report, run_test_stories

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TESTS = ROOT / "tests"


@pytest.fixture(scope="module")
def hr_assistant(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    result = train_project(ROOT, models_dir=tmp_path_factory.mktemp("hr-full"),
                           cache_dir=tmp_path_factory.mktemp("cache"), reference_time=NOW)
    return load_model(result.model)


def test_every_hr_test_story_passes(hr_assistant: LoadedModel) -> None:
    data = read_test_stories([TESTS])
    dialogue = hr_assistant.dialogue
    assert dialogue is not None

    results = run_test_stories(data, dialogue.domain, dialogue.policies,
                               lambda text: hr_assistant.nlu.parse(text, NOW), lambda *_: None)

    failures = [failure_report(result, data) for result in results if result.failed]
    assert not failures, "\n\n".join(failures)


def test_the_test_stories_cover_every_intent_of_the_contract() -> None:
    intents = {example.intent for example in load_nlu_data([ROOT / "data"]).examples}
    tested = {step.intent for story in read_test_stories([TESTS]).stories for step in story.steps
              if isinstance(step, UserStep)}

    assert intents - tested == set()


def test_the_test_stories_go_through_every_form() -> None:
    forms = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["forms"])
    loops = {step.name for story in read_test_stories([TESTS]).stories for step in story.steps
             if isinstance(step, ActiveLoopStep)}

    assert forms and forms - loops == set()
