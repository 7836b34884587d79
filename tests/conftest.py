"""Shared fixtures: one trained model of the tiny project per session, an isolated
environment, a session cache for jieba dictionaries and helpers to train small pipelines."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from hrbot_test_support import REFERENCE_TIME, write_tiny_project


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache (jieba dictionaries) for the whole session."""
    return tmp_path_factory.mktemp("hrbot-cache")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    monkeypatch.setenv("HRBOT_CACHE_DIR", str(cache_dir))
    monkeypatch.delenv("HRBOT_REFERENCE_TIME", raising=False)
    monkeypatch.delenv("HRBOT_TIMEZONE", raising=False)
    monkeypatch.delenv("HRBOT_AUTH_TOKEN", raising=False)


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project, written once and shared: do not modify it (use `make_project`)."""
    return write_tiny_project(tmp_path_factory.mktemp("tiny-project"))


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write a fresh tiny project (with optional file overrides) under tmp_path."""
    counter = iter(range(1000))

    def make(overrides: Mapping[str, str] | None = None) -> Path:
        return write_tiny_project(tmp_path / f"project{next(counter)}", overrides)

    return make


@pytest.fixture(scope="session")
def trained_model_path(tiny_project: Path, cache_dir: Path) -> Path:
    from hrbot.model.training import train_nlu

    result = train_nlu(tiny_project, cache_dir=cache_dir, reference_time=REFERENCE_TIME)
    return result.model


@pytest.fixture(scope="session")
def loaded_model(trained_model_path: Path) -> Any:
    from hrbot.model.loading import load_model

    return load_model(trained_model_path)


@pytest.fixture
def project_with_model(tmp_path: Path, trained_model_path: Path) -> Path:
    """A copy of the tiny project whose models/ holds the session's trained model."""
    root = write_tiny_project(tmp_path / "project")
    (root / "models").mkdir()
    shutil.copy2(trained_model_path, root / "models" / trained_model_path.name)
    return root


@pytest.fixture(scope="session")
def default_jieba_dictionary(cache_dir: Path) -> Any:
    """jieba's default dictionary without user dictionaries."""
    from hrbot.nlu.components.jieba_dictionary import build_dictionary

    return build_dictionary([], cache_dir)


@pytest.fixture(scope="session")
def user_jieba_dictionary(tiny_project: Path, cache_dir: Path) -> Any:
    """jieba's default dictionary plus the tiny project's user dictionary."""
    from hrbot.nlu.components.jieba_dictionary import build_dictionary

    return build_dictionary([tiny_project / "data" / "userdict.txt"], cache_dir)


@pytest.fixture
def train_context(tmp_path: Path, cache_dir: Path) -> Any:
    from hrbot.nlu.component import TrainContext

    return TrainContext(REFERENCE_TIME, lambda message: None, tmp_path, cache_dir)


@pytest.fixture
def nlu_data() -> Callable[[str], Any]:
    """Training data from Rasa NLU YAML text."""
    from hrbot.shared.nlu.rasa_yaml import training_data_from_document
    from hrbot.shared.yaml_reader import parse_yaml_text

    def read(text: str) -> Any:
        return training_data_from_document(parse_yaml_text(text, "test.yml"))

    return read


@pytest.fixture
def train_pipeline(train_context: Any) -> Callable[[Sequence[Mapping[str, Any]], Any], Any]:
    """An NLU pipeline from config items, trained on the given data."""
    from hrbot.nlu.builtins import builtin_registry
    from hrbot.nlu.pipeline import NLUPipeline
    from hrbot.nlu.pipeline_config import resolve_pipeline

    def train(items: Sequence[Mapping[str, Any]], data: Any) -> Any:
        pipeline = NLUPipeline.from_config(resolve_pipeline(items, builtin_registry()))
        pipeline.train(data, train_context)
        return pipeline

    return train


@pytest.fixture
def isolated_jieba(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """jieba, with its cache in a temporary folder and its global force-split set restored
    afterwards (`load_userdict` with frequency 0 adds to it for every tokenizer)."""
    import logging

    import jieba
    import jieba.finalseg

    jieba.setLogLevel(logging.WARNING)
    folder = tmp_path_factory.getbasetemp() / "jieba-cache"
    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(jieba.dt, "tmp_dir", str(folder))
    monkeypatch.setattr(jieba.finalseg, "Force_Split_Words",
                        set(jieba.finalseg.Force_Split_Words))
    yield jieba
