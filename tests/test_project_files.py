"""The repository's own project files: demo data in sync with the shared folder, a config that
resolves, training data that reads without problems."""

from __future__ import annotations

import pytest

from hrbot.model.validation import validate_project
from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.components.jieba_dictionary import read_dictionary_file
from hrbot.nlu.components.tokenizers import user_dictionary_files
from hrbot.nlu.pipeline_config import resolve_project_pipeline
from hrbot.shared.config import read_config
from hrbot_test_support import REPO_ROOT

SHARED_DEMO = REPO_ROOT.parent / "shared" / "demo"


@pytest.mark.parametrize("name", ["company.json", "handbook.md"])
def test_project_files_demo_file_is_byte_identical_to_the_shared_one(name: str) -> None:
    ours = REPO_ROOT / "demo" / name
    assert ours.is_file()
    if not SHARED_DEMO.parent.is_dir():
        pytest.skip(f"the shared folder {SHARED_DEMO.parent} is not present")

    assert ours.read_bytes() == (SHARED_DEMO / name).read_bytes()


def test_project_files_config_resolves_without_problems() -> None:
    config = read_config(REPO_ROOT / "config.yml")

    resolved = resolve_project_pipeline(config, builtin_registry())

    assert config.language == "zh"
    assert config.pipeline is not None
    assert resolved.steps[0].spec.name == "JiebaTokenizer"
    assert {"LinearIntentClassifier", "CRFEntityExtractor", "FallbackClassifier"} <= {
        step.spec.name for step in resolved.steps
    }


def test_project_files_jieba_tokenizer_uses_the_user_dictionary_that_exists() -> None:
    config = read_config(REPO_ROOT / "config.yml")
    (tokenizer,) = [step for step in resolve_project_pipeline(config, builtin_registry()).steps
                    if step.spec.name == "JiebaTokenizer"]

    files = user_dictionary_files(tokenizer.options["dictionary_path"], REPO_ROOT)

    assert files == [REPO_ROOT / "data" / "jieba_userdict.txt"]
    entries = read_dictionary_file(files[0])
    assert entries["年假"] == 20000
    assert len(entries) > 100


def test_project_files_data_and_config_validate_without_problems() -> None:
    report = validate_project(REPO_ROOT)

    assert report.problems == []
    assert int(report.summary.split(" examples")[0]) > 1000
