"""The `hrbot` command, run in-process with captured output inside a copy of the tiny project."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest

from hrbot.cli.main import build_parser, main
from hrbot.cli.terminal import Terminal
from hrbot_test_support import REFERENCE_TIME_TEXT, TINY_NLU

MakeProject = Callable[..., Path]
COMMANDS = [["train"], ["parse"], ["shell"], ["test"], ["data"], ["data", "validate"], ["run"], ["demo"],
            ["cs"], ["console"], ["audit"], ["export"], ["import"]]


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(*argv: str) -> Run:
    terminal = Terminal(out=StringIO(), err=StringIO())
    code = main(list(argv), terminal=terminal)
    return Run(code, terminal.out.getvalue(), terminal.err.getvalue())  # type: ignore[attr-defined]


def test_cli_train_prints_the_model_path(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project()
    monkeypatch.chdir(project)

    result = run("train")

    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert (project / path).is_file()
    assert path.parent == Path("models")
    assert "training NLU on 48 examples, 6 intents, 4 entity types" in result.err

    again = run("train")

    assert again.code == 0
    assert again.out == result.out
    assert "training skipped" in again.err


def test_cli_train_fixed_model_name(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_with_model)
    (project_with_model / "config.yml").write_text(
        "pipeline:\n  - name: WhitespaceTokenizer\n  - name: NgramFeaturizer\n"
        "  - name: LinearIntentClassifier\n", encoding="utf-8")

    result = run("train", "--fixed-model-name", "demo", "--out", "elsewhere")

    assert result.code == 0, result.err
    assert result.out.strip() == str(Path("elsewhere") / "demo.tar.gz")
    assert (project_with_model / "elsewhere" / "demo.tar.gz").is_file()


def test_cli_train_unknown_component_exits_1_listing_known_components(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project({"config.yml": "language: zh\npipeline:\n  - name: BertClassifier\n"})
    monkeypatch.chdir(project)

    result = run("train")

    assert result.code == 1
    assert result.out == ""
    assert "unknown component 'BertClassifier'" in result.err
    assert "config.yml:3" in result.err
    for known in ("JiebaTokenizer", "CountVectorsFeaturizer", "DIETClassifier",
                  "LinearIntentClassifier"):
        assert known in result.err
    assert not (project / "models").exists()


def test_cli_train_bad_data_exits_1_with_file_and_line(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = TINY_NLU.replace("- 查工资", "- 查[工资")
    project = make_project({"data/nlu.yml": broken})
    monkeypatch.chdir(project)
    line = broken.splitlines().index("    - 查[工资") + 1

    result = run("train")

    assert result.code == 1
    assert f"nlu.yml:{line}: unbalanced annotation brackets" in result.err
    assert not (project / "models").exists()


def test_cli_data_validate_good_project_exits_0(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project())

    result = run("data", "validate")

    assert result.code == 0, result.err
    assert result.out.startswith("project is valid: 48 examples, 6 intents")


def test_cli_data_validate_bad_project_exits_1_with_file_and_line(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = TINY_NLU.replace("- intent: goodbye", "- intent: goodbye\n  colour: red")
    monkeypatch.chdir(make_project({"data/nlu.yml": broken}))
    line = broken.splitlines().index("  colour: red") + 1

    result = run("data", "validate")

    assert result.code == 1
    assert f"{Path('data') / 'nlu.yml'}:{line}: unknown key 'colour' in nlu item" in result.err
    assert "project is valid" not in result.out


def test_cli_data_without_action_prints_usage() -> None:
    result = run("data")

    assert result.code == 2
    assert "validate" in result.out


def test_cli_test_nlu_writes_reports_and_a_confusion_matrix(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_with_model)

    result = run("test", "nlu", "--nlu", "data/nlu.yml", "--out", "results",
                 "--reference-time", REFERENCE_TIME_TEXT)

    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["examples"] == 48
    assert 0.9 <= summary["accuracy"] <= 1.0
    out = project_with_model / "results"
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    for intent in ("greet", "goodbye", "leave_balance", "request_leave", "salary_query",
                   "attendance_correction"):
        assert {"precision", "recall", "f1-score", "support"} <= set(report[intent])
        assert report[intent]["support"] == 8
    assert {"accuracy", "macro avg", "weighted avg"} <= set(report)
    assert isinstance(json.loads((out / "errors.json").read_text(encoding="utf-8")), list)
    entities = json.loads((out / "entity_report.json").read_text(encoding="utf-8"))
    assert {"leave_type", "micro avg", "macro avg"} <= set(entities)
    png = (out / "intent_confusion_matrix.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 1000


def test_cli_test_nlu_cross_validation(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project())

    result = run("test", "nlu", "--cross-validation", "--folds", "2", "--out", "cv",
                 "--reference-time", REFERENCE_TIME_TEXT)

    assert result.code == 0, result.err
    assert "fold 1/2: training on 24, testing on 24" in result.err
    assert "fold 2/2" in result.err
    summary = json.loads(result.out)
    assert summary["examples"] == 48
    assert summary["accuracy"] > 0.5
    assert (Path("cv") / "intent_report.json").is_file()
    assert (Path("cv") / "intent_confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_test_nlu_cross_validation_needs_two_folds(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project())

    result = run("test", "nlu", "--cross-validation", "--folds", "1")

    assert result.code == 1
    assert "--folds must be at least 2" in result.err


def test_cli_parse_outside_a_project_without_a_model_exits_1_saying_how_to_train(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("parse")

    assert result.code == 1
    assert "no trained model found" in result.err
    assert "hrbot train" in result.err


def test_cli_parse_bad_reference_time_exits_1(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_with_model)

    result = run("parse", "--reference-time", "next tuesday")

    assert result.code == 1
    assert "not ISO 8601" in result.err


def test_cli_parse_unknown_time_zone_exits_1(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_with_model)
    monkeypatch.setenv("HRBOT_TIMEZONE", "Mars/Base")

    result = run("parse", "--reference-time", "2026-11-21")

    assert result.code == 1
    assert "unknown time zone 'Mars/Base'" in result.err


def test_cli_shell_prints_each_parse_until_end_of_input(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_with_model)
    messages = iter(["我想明天请一天病假", "你好"])

    def fake_input(prompt: str) -> str:
        try:
            return next(messages)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)

    result = run("shell", "nlu", "--reference-time", REFERENCE_TIME_TEXT)

    assert result.code == 0, result.err
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(result.out)
    second, _ = decoder.raw_decode(result.out[end:].lstrip())
    assert first["intent"]["name"] == "request_leave"
    assert {e["entity"]: e["value"] for e in first["entities"]}["date"] == "2026-11-22"
    assert second["intent"]["name"] == "greet"
    assert result.err.rstrip().endswith("bye")


def test_cli_run_serves_the_model_with_token_and_fixed_reference_time(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    import httpx
    import uvicorn

    served: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    monkeypatch.chdir(project_with_model)
    monkeypatch.setenv("HRBOT_REFERENCE_TIME", REFERENCE_TIME_TEXT)

    result = run("run", "--port", "5077", "--auth-token", "tok")

    assert result.code == 0, result.err
    assert (served["host"], served["port"]) == ("127.0.0.1", 5077)

    async def ask(url: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=served["app"])  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(url, json={"text": "明天请假"})

    assert asyncio.run(ask("/model/parse")).status_code == 401
    body = asyncio.run(ask("/model/parse?token=tok")).json()
    assert {e["entity"]: e["value"] for e in body["entities"]}["date"] == "2026-11-22"


def test_cli_run_unknown_time_zone_exits_1(
    project_with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    monkeypatch.chdir(project_with_model)
    monkeypatch.setenv("HRBOT_TIMEZONE", "Mars/Base")

    result = run("run")

    assert result.code == 1
    assert "HRBOT_TIMEZONE: unknown time zone 'Mars/Base'" in result.err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_cli_help_works_for_every_command(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*command, "--help"])

    assert caught.value.code == 0
    assert f"usage: hrbot {' '.join(command)}" in capsys.readouterr().out


def test_cli_every_command_has_a_help_test() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")

    assert sorted(subparsers.choices) == sorted({c[0] for c in COMMANDS})


def test_cli_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    help_text = capsys.readouterr().out
    assert "HRBOT_REFERENCE_TIME" in help_text
    for command in ("train", "parse", "shell", "test", "data", "run"):
        assert command in help_text

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == "hrbot 0.1.0"


def test_cli_without_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: hrbot" in capsys.readouterr().out
