"""Rasa 3.x projects written by others train on hrbot and pass their own test stories,
without edits (the projects are under tests/fixtures/rasa_projects)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hrbot.model.loading import load_model
from hrbot.model.training import train_project
from hrbot.shared.core.stories import read_test_stories
from hrbot.testing.story_test import failure_report, run_test_stories
from hrbot_test_support import REFERENCE_TIME

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rasa_projects"
PROJECTS = sorted(path.name for path in FIXTURES.iterdir() if (path / "domain.yml").is_file())


def test_the_fixture_projects_are_all_found() -> None:
    assert PROJECTS == ["checkpoints", "formbot", "moodbot"]


@pytest.mark.parametrize("name", PROJECTS)
def test_a_rasa_project_trains_and_passes_its_test_stories(
    name: str, tmp_path: Path, cache_dir: Path
) -> None:
    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)

    result = train_project(project, cache_dir=cache_dir, reference_time=REFERENCE_TIME)
    model = load_model(result.model)
    assert model.dialogue is not None
    tests = read_test_stories([project / "tests"])
    outcomes = run_test_stories(
        tests, model.dialogue.domain, model.dialogue.policies,
        lambda text: model.nlu.parse(text, REFERENCE_TIME),
    )

    failures = [failure_report(outcome, tests) for outcome in outcomes if outcome.failed]
    assert not failures, "\n\n".join(failures)
    assert len(outcomes) == len(tests.stories) >= 5
