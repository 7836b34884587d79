"""Retraining from the console: a background job (one at a time) cross-validates the old and
the new training data and trains a candidate; the page shows both accuracies before anyone
activates the candidate, which then becomes the newest model in models/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from console_support import ADMIN, AGENT, DESIGNER, Browser, Console
from review_support import T0, notice, open_project_console, problem, write_console_project

from hrbot.console import retrain as retrain_module
from hrbot.console.annotation import build_example
from hrbot.console.annotation_file import ReviewedExample, ReviewedFile
from hrbot.console.retrain_eval import is_new_annotation, old_data
from hrbot.model import training
from hrbot.model.archive import latest_archive
from hrbot.model.loading import LoadedModel, load_model
from hrbot.shared.nlu.rasa_yaml import load_nlu_data

INTENTS = ["greet", "goodbye", "leave_balance", "request_leave", "salary_query", "attendance_correction"]


@pytest.fixture
def project(console_model: LoadedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    console = open_project_console(tmp_path, console_model, monkeypatch)
    for username in (DESIGNER, ADMIN, AGENT):
        console.add_account(username)
    yield console
    console.close()


@pytest.fixture
def designer(project: Console) -> Iterator[Browser]:
    client = project.client()
    client.log_in(DESIGNER)
    yield client
    client.close()


def annotate_later(root: Path, *texts: str, at: float | None = None) -> None:
    """Reviewed examples written after the served model was trained."""
    when = time.time() + 60 if at is None else at
    ReviewedFile(root).append([
        ReviewedExample(build_example(text, "salary_query", [], intents=INTENTS, entities=[]), DESIGNER, when,
                        index, "correct")
        for index, text in enumerate(texts, start=1)])


def finished(browser: Browser, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = browser.get("/retrain/status.json", headers={"Accept": "application/json"})
        job: dict[str, Any] = response.json()["job"]
        if job["state"] != "running":
            return job
        assert time.monotonic() < deadline, f"the job did not finish in {timeout} s: {job}"
        time.sleep(0.05)


def test_a_designer_sees_old_and_new_cross_validation_before_activating_the_candidate(
    project: Console, designer: Browser, tmp_path: Path, console_model: LoadedModel
) -> None:
    annotate_later(tmp_path, "这个月的薪水到账没有", "薪水什么时候发放")
    served = console_model.path.name

    started = designer.post("/retrain/start")

    assert started.status_code == 303
    job = finished(designer)
    assert job["state"] == "done", job
    result = job["result"]
    assert result["old"]["examples"] == 48 and result["new"]["examples"] == 50
    assert result["new_annotations"] == 2 and result["new"]["folds"] == 3
    page = designer.get("/retrain").text
    for row in ("cv-old", "cv-new"):
        assert f'<tr id="{row}">' in page
    for side in ("old", "new"):
        assert f"{result[side]['accuracy'] * 100:.1f}%" in page
    candidate = tmp_path / "models" / "candidates" / job["id"] / result["candidate"]
    assert candidate.is_file() and latest_archive(tmp_path / "models") is None  # not active yet

    activated = designer.post("/retrain/activate", {"job": job["id"]})

    assert activated.status_code == 200
    assert "重启 hrbot run 后生效" in str(notice(activated.text)) and served in str(notice(activated.text))
    newest = latest_archive(tmp_path / "models")
    assert newest is not None and newest.name == result["candidate"] and not candidate.exists()
    reloaded = load_model(newest)
    assert reloaded.dialogue is not None  # the whole model, dialogue part included
    assert reloaded.nlu.parse("薪水什么时候发放", datetime.now(UTC)).intent.name == "salary_query"
    actions = [(e.action, e.target) for e in project.run(project.ctx.audit.entries(limit=50))]
    assert ("retrain.start", job["id"]) in actions and ("retrain.activate", job["id"]) in actions
    assert designer.post("/retrain/activate", {"job": job["id"]}).status_code == 409  # only once


def test_without_new_data_there_is_nothing_to_activate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the served model trained from exactly this project and code (hrbot's source is fingerprinted too)
    monkeypatch.setattr(training, "code_fingerprint", lambda: "this hrbot")
    write_console_project(tmp_path)
    served = load_model(training.train_project(tmp_path).model)
    console = open_project_console(tmp_path, served, monkeypatch)
    console.add_account(DESIGNER)
    designer = console.client()
    designer.log_in(DESIGNER)
    designer.post("/retrain/start")

    job = finished(designer)

    assert job["state"] == "done" and job["result"]["candidate"] is None and job["result"]["old"] is None
    page = designer.get("/retrain").text
    assert 'id="activate"' not in page and "没有变化" in page
    assert designer.post("/retrain/activate", {"job": job["id"]}).status_code == 409
    designer.close()
    console.close()


def test_a_second_job_is_refused_while_one_runs(
    project: Console, designer: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = retrain_module.cross_validate

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(retrain_module, "cross_validate", slow)
    assert designer.post("/retrain/start").status_code == 303
    assert 'id="retrain-start" disabled' in designer.get("/retrain").text

    second = designer.post("/retrain/start")

    assert second.status_code == 409 and "已有一个训练任务在进行" in str(problem(second.text))
    release.set()
    assert finished(designer)["state"] == "done"


def test_a_failed_job_says_what_to_fix(project: Console, designer: Browser, tmp_path: Path) -> None:
    broken = "nlu:\n- intent: greet\n  examples: oops\n"
    (tmp_path / "data" / "broken.yml").write_text(broken, encoding="utf-8")

    designer.post("/retrain/start")
    job = finished(designer)

    assert job["state"] == "failed"
    assert "broken.yml" in job["error"]
    assert "broken.yml" in designer.get("/retrain").text


def test_only_designers_and_admins_may_retrain(project: Console) -> None:
    agent = project.client()
    agent.log_in(AGENT)

    assert agent.get("/retrain").status_code == 403
    assert agent.post("/retrain/start").status_code == 403
    agent.close()


def test_old_data_leaves_out_only_what_was_annotated_after_the_served_model(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    annotate_later(tmp_path, "薪水什么时候发放", at=T0 - 3600)
    annotate_later(tmp_path, "这个月的薪水到账没有", at=T0 + 3600)
    data = load_nlu_data([tmp_path / "data"])
    trained_at = datetime.fromtimestamp(T0, UTC)
    reviewed = tmp_path / "data" / "reviewed.yml"

    assert [e.text for e in old_data(data, reviewed, trained_at).examples] == ["薪水什么时候发放"]
    assert [e.text for e in data.examples if is_new_annotation(e, reviewed, None)] == [
        "薪水什么时候发放", "这个月的薪水到账没有"]  # unknown training time: every annotation is new
