"""Loading model archives: a round trip parses as the trained pipeline did; broken archives
are ModelErrors that say what to do."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from hrbot.model.archive import METADATA_FILE, resolve_model_path, write_archive
from hrbot.model.loading import load_model
from hrbot.model.training import read_nlu_inputs
from hrbot.nlu.component import TrainContext
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.shared.errors import ModelError
from hrbot_test_support import REFERENCE_TIME

TEXTS = ["请3天年假", "我想明天请一天病假", "上个月工资多少", "你好", "昨天忘打卡了",
         "剩余年休假天数", "", "hello world", "E12345 调休还有多少"]


def test_load_model_round_trip_parses_as_the_in_memory_pipeline(
    tiny_project: Path, cache_dir: Path, tmp_path: Path
) -> None:
    inputs = read_nlu_inputs(tiny_project)
    pipeline = NLUPipeline.from_config(inputs.pipeline)
    pipeline.train(inputs.data, TrainContext(REFERENCE_TIME, lambda m: None, tiny_project,
                                             cache_dir))
    folder = tmp_path / "model"
    pipeline.persist(folder / "nlu")
    (folder / METADATA_FILE).write_text(json.dumps({"fingerprint": {"nlu": "abc"}}),
                                        encoding="utf-8")
    archive = write_archive(folder, tmp_path / "models", "model.tar.gz")

    model = load_model(archive)

    assert model.fingerprint == "abc"
    assert model.nlu.intents == pipeline.intents
    for text in TEXTS:
        assert model.nlu.parse(text, REFERENCE_TIME) == pipeline.parse(text, REFERENCE_TIME)


def test_load_model_of_the_session_model_understands_the_tiny_project(
    loaded_model: Any,
) -> None:
    result = loaded_model.nlu.parse("我想明天请一天病假", REFERENCE_TIME)

    assert result.intent.name == "request_leave"
    values = {e.entity: e.value for e in result.entities}
    assert values["date"] == "2026-11-22"
    assert values["duration"] == 1
    assert "leave_type" in values


def test_load_model_not_a_tar_gz_is_a_model_error_saying_to_retrain(tmp_path: Path) -> None:
    bogus = tmp_path / "model.tar.gz"
    bogus.write_text("this is not an archive", encoding="utf-8")

    with pytest.raises(ModelError) as caught:
        load_model(bogus)

    message = str(caught.value)
    assert str(bogus) in message
    assert "hrbot train" in message


def test_load_model_missing_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="hrbot train"):
        load_model(tmp_path / "absent.tar.gz")


def make_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def test_load_model_archive_without_metadata_is_a_model_error(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "m.tar.gz", {"nlu/pipeline.json": b"[]"})

    with pytest.raises(ModelError, match=r"metadata\.json"):
        load_model(archive)


def test_load_model_archive_without_nlu_part_is_a_model_error(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "m.tar.gz", {"metadata.json": b"{}"})

    with pytest.raises(ModelError, match="no NLU part"):
        load_model(archive)


def test_load_model_unknown_component_in_archive_is_a_model_error(tmp_path: Path) -> None:
    pipeline = json.dumps([{"name": "Gone", "options": {}, "directory": "00_Gone"}]).encode()
    archive = make_archive(tmp_path / "m.tar.gz", {
        "metadata.json": b"{}", "nlu/pipeline.json": pipeline, "nlu/00_Gone/x": b""})

    with pytest.raises(ModelError, match=r"'Gone'.*retrain"):
        load_model(archive)


def test_resolve_model_path_prefers_the_given_file_then_the_newest(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    given = models / "b.tar.gz"
    given.write_bytes(b"")

    assert resolve_model_path(given, tmp_path / "elsewhere") == given
    assert resolve_model_path(None, models) == given
    assert resolve_model_path(models, tmp_path / "elsewhere") == given
    with pytest.raises(ModelError, match="hrbot train"):
        resolve_model_path(None, tmp_path / "empty")
