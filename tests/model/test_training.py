"""train_nlu: one archive per training, skipped when nothing changed, never a partial file."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from hrbot.model import archive as archive_module
from hrbot.model.archive import archive_metadata, write_archive
from hrbot.model.training import read_nlu_inputs, train_nlu
from hrbot.shared.errors import InvalidProjectError, UnknownComponentError
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, TINY_NLU

MakeProject = Callable[..., Path]


def light_project(make_project: MakeProject, **overrides: str) -> Path:
    return make_project({"config.yml": LIGHT_CONFIG, **overrides})


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_train_nlu_writes_one_archive_with_metadata(make_project: MakeProject) -> None:
    project = light_project(make_project)

    result = train_nlu(project, reference_time=REFERENCE_TIME)

    assert result.skipped is False
    assert files_in(project / "models") == [result.model.name]
    assert result.model.name.endswith(".tar.gz")
    assert result.fingerprint[:8] in result.model.name
    metadata = archive_metadata(result.model)
    assert metadata["fingerprint"] == {"nlu": result.fingerprint}
    assert metadata["intents"] == ["attendance_correction", "goodbye", "greet",
                                   "leave_balance", "request_leave", "salary_query"]
    assert metadata["entities"] == ["date", "duration", "leave_type", "month"]
    assert metadata["language"] == "zh"
    with tarfile.open(result.model, "r:gz") as tar:
        names = tar.getnames()
    assert "metadata.json" in names
    assert "nlu/pipeline.json" in names


def test_train_nlu_unchanged_inputs_skip_training(make_project: MakeProject) -> None:
    project = light_project(make_project)
    first = train_nlu(project)
    messages: list[str] = []

    second = train_nlu(project, progress=messages.append)

    assert second.skipped is True
    assert second.model == first.model
    assert second.fingerprint == first.fingerprint
    assert files_in(project / "models") == [first.model.name]
    assert any("training skipped" in message for message in messages)


def test_train_nlu_changed_data_retrains(make_project: MakeProject) -> None:
    project = light_project(make_project)
    first = train_nlu(project)
    nlu = project / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8") + "    - 哈罗\n", encoding="utf-8")

    second = train_nlu(project)

    assert second.skipped is False
    assert second.fingerprint != first.fingerprint
    assert second.model != first.model
    assert files_in(project / "models") == sorted([first.model.name, second.model.name])


def test_train_nlu_changed_config_retrains(make_project: MakeProject) -> None:
    project = light_project(make_project)
    first = train_nlu(project)
    (project / "config.yml").write_text(LIGHT_CONFIG.replace("max_ngram: 2", "max_ngram: 3"),
                                        encoding="utf-8")

    second = train_nlu(project)

    assert second.skipped is False
    assert second.fingerprint != first.fingerprint


def test_train_nlu_changed_user_dictionary_changes_the_fingerprint(
    make_project: MakeProject,
) -> None:
    project = make_project()
    before = read_nlu_inputs(project).fingerprint()
    (project / "data" / "userdict.txt").write_text("年假 1 n\n", encoding="utf-8")

    after = read_nlu_inputs(project).fingerprint()

    assert after != before


def test_train_nlu_comments_and_order_do_not_change_the_fingerprint(
    make_project: MakeProject,
) -> None:
    project = light_project(make_project)
    before = read_nlu_inputs(project).fingerprint()
    nlu = project / "data" / "nlu.yml"
    nlu.write_text("# a comment\n" + nlu.read_text(encoding="utf-8"), encoding="utf-8")

    assert read_nlu_inputs(project).fingerprint() == before


def test_train_nlu_force_retrains(make_project: MakeProject) -> None:
    project = light_project(make_project)
    first = train_nlu(project)
    first_trained_at = archive_metadata(first.model)["trained_at"]

    forced = train_nlu(project, force=True)

    assert forced.skipped is False
    assert forced.fingerprint == first.fingerprint
    assert archive_metadata(forced.model)["trained_at"] != first_trained_at


def test_train_nlu_unreadable_newest_archive_does_not_stop_training(
    make_project: MakeProject,
) -> None:
    project = light_project(make_project)
    (project / "models").mkdir()
    (project / "models" / "broken.tar.gz").write_text("not an archive", encoding="utf-8")

    result = train_nlu(project)

    assert result.skipped is False
    assert archive_metadata(result.model)["fingerprint"]["nlu"] == result.fingerprint
    assert train_nlu(project).skipped is True


def test_train_nlu_fixed_name_and_models_dir(make_project: MakeProject, tmp_path: Path) -> None:
    project = light_project(make_project)

    result = train_nlu(project, models_dir=tmp_path / "elsewhere", fixed_name="mine.tar.gz")

    assert result.model == tmp_path / "elsewhere" / "mine.tar.gz"
    assert not (project / "models").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"data/nlu.yml": TINY_NLU.replace("[年假](leave_type)余额", "[年假(leave_type)余额")},
        {"data/nlu.yml": TINY_NLU + "- intent: empty\n  examples: |\n"},
        {"data/broken.yml": "nlu: [\n"},
        {"config.yml": LIGHT_CONFIG.replace("analyzer: char", "analyzer: bogus")},
        {"config.yml": LIGHT_CONFIG.replace("WhitespaceTokenizer", "WhiteSpaceTokeniser")},
    ],
    ids=["unbalanced-brackets", "empty-intent", "invalid-yaml", "bad-analyzer",
         "unknown-component"],
)
def test_train_nlu_bad_project_raises_and_leaves_no_file(
    make_project: MakeProject, overrides: dict[str, str]
) -> None:
    project = light_project(make_project, **overrides)

    with pytest.raises(InvalidProjectError):
        train_nlu(project)

    assert files_in(project / "models") == []


def test_train_nlu_reports_config_and_data_problems_together(make_project: MakeProject) -> None:
    project = light_project(
        make_project,
        **{"config.yml": LIGHT_CONFIG.replace("WhitespaceTokenizer", "Nope"),
           "data/nlu.yml": TINY_NLU.replace("[年假](leave_type)余额", "[年假(leave_type)余额")},
    )

    with pytest.raises(UnknownComponentError) as caught:
        train_nlu(project)

    files = {Path(p.location.file).name for p in caught.value.problems if p.location}
    assert files == {"config.yml", "nlu.yml"}


def test_train_nlu_without_examples_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text(LIGHT_CONFIG, encoding="utf-8")

    with pytest.raises(InvalidProjectError, match="no NLU training examples"):
        train_nlu(tmp_path)

    assert files_in(tmp_path / "models") == []


def test_write_archive_failure_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    (source / "nlu").mkdir(parents=True)
    (source / "metadata.json").write_text("{}", encoding="utf-8")
    models = tmp_path / "models"

    def fail(self: tarfile.TarFile, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tarfile.TarFile, "add", fail)

    with pytest.raises(OSError, match="disk full"):
        write_archive(source, models, "model.tar.gz")

    assert files_in(models) == []


def test_write_archive_interrupted_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "metadata.json").write_text("{}", encoding="utf-8")

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(archive_module.os, "replace", interrupt)

    with pytest.raises(KeyboardInterrupt):
        write_archive(source, tmp_path / "models", "model.tar.gz")

    assert files_in(tmp_path / "models") == []


def test_latest_archive_ignores_partial_and_foreign_files(tmp_path: Path) -> None:
    from hrbot.model.archive import latest_archive, list_archives

    models = tmp_path / "models"
    models.mkdir()
    (models / ".partial-abc.tar.gz").write_bytes(b"")
    (models / "notes.txt").write_text("x", encoding="utf-8")
    (models / "a.tar.gz").write_bytes(b"")

    assert list_archives(models) == [models / "a.tar.gz"]
    assert latest_archive(models) == models / "a.tar.gz"
    assert latest_archive(tmp_path / "absent") is None


def test_trained_archive_is_readable_by_others_like_any_file(tmp_path: Path) -> None:
    import os
    import stat

    archive = tmp_path / "source"
    archive.mkdir()
    (archive / "metadata.json").write_text("{}", encoding="utf-8")
    from hrbot.model.archive import write_archive

    umask = os.umask(0o022)
    try:
        path = write_archive(archive, tmp_path / "models", "m.tar.gz")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
