"""`hrbot train` with a dialogue part, and `hrbot test` on test stories, in a copy of the
tiny project with a domain, rules and test stories."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest

from hrbot.cli.main import main
from hrbot.cli.terminal import Terminal
from hrbot_test_support import REFERENCE_TIME_TEXT, TINY_DOMAIN

MakeProject = Callable[..., Path]

DOMAIN = TINY_DOMAIN + """
responses:
  utter_greet:
    - text: "您好"
  utter_goodbye:
    - text: "再见"
"""

RULES = """\
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: goodbye
    steps:
      - intent: goodbye
      - action: utter_goodbye
"""

PASSING = """\
stories:
  - story: hello and bye
    steps:
      - user: 你好
        intent: greet
      - action: utter_greet
      - user: 再见
        intent: goodbye
      - action: utter_goodbye
"""

FAILING = PASSING + """\
  - story: expects the wrong answer
    steps:
      - user: 你好
        intent: greet
      - action: utter_goodbye
"""


def run(*argv: str) -> tuple[int, str, str]:
    terminal = Terminal(out=StringIO(), err=StringIO())
    code = main(list(argv), terminal=terminal)
    return code, terminal.out.getvalue(), terminal.err.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def project(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project({"domain.yml": DOMAIN, "data/rules.yml": RULES, "tests/test_stories.yml": PASSING})
    monkeypatch.chdir(root)
    monkeypatch.setenv("HRBOT_REFERENCE_TIME", REFERENCE_TIME_TEXT)
    return root


def test_train_trains_nlu_and_dialogue(project: Path) -> None:
    code, _out, err = run("train")
    assert code == 0, err
    assert "training NLU on" in err
    assert "training dialogue on 0 stories and 2 rules" in err


def test_train_reuses_the_nlu_when_only_the_rules_changed(project: Path) -> None:
    run("train")
    rules = RULES.replace("utter_goodbye", "utter_greet")
    (project / "data" / "rules.yml").write_text(rules, encoding="utf-8")

    code, _out, err = run("train")

    assert code == 0, err
    assert "nlu (reused)" in err
    assert "training NLU on" not in err
    assert "training dialogue on" in err


def test_test_passes_when_every_test_story_passes(project: Path) -> None:
    run("train")
    code, out, err = run("test")
    assert code == 0, out + err
    assert "1 of 1 test stories passed" in err
    report = json.loads((project / "results" / "story_report.json").read_text(encoding="utf-8"))
    assert report["passed"] == 1 and report["failed"] == 0


def test_test_shows_a_failed_story_as_a_diff_and_exits_non_zero(project: Path) -> None:
    (project / "tests" / "test_stories.yml").write_text(FAILING, encoding="utf-8")
    run("train")

    code, out, _err = run("test")

    assert code == 1
    assert "FAILED story 'expects the wrong answer'" in out
    assert "- expected action: utter_goodbye" in out
    assert "+ predicted action: utter_greet" in out
    assert "test_stories.yml:12" in out or "line 14" in out
    report = json.loads((project / "results" / "story_report.json").read_text(encoding="utf-8"))
    assert [story["passed"] for story in report["stories"]] == [True, False]


def test_test_with_a_stories_path_that_does_not_exist_says_so(project: Path) -> None:
    run("train")
    code, _out, err = run("test", "--stories", "nowhere.yml")
    assert code == 1
    assert "nowhere.yml" in err and "--stories" in err


def test_train_reports_an_unknown_action_in_rules_with_file_and_line(project: Path) -> None:
    rules = RULES.replace("utter_goodbye", "utter_missing")
    (project / "data" / "rules.yml").write_text(rules, encoding="utf-8")
    code, _out, err = run("train")
    assert code == 1
    assert "rules.yml:9" in err and "utter_missing" in err
    assert not (project / "models").exists() or not any((project / "models").iterdir())


def test_run_actions_without_an_actions_package_says_what_to_create(project: Path) -> None:
    code, _out, err = run("run", "actions", "--port", "5999")
    assert code == 1
    assert "no actions package 'actions'" in err and "__init__.py" in err


def test_run_requires_signed_senders_unless_told_to_trust_them(project: Path) -> None:
    assert run("train")[0] == 0

    for credentials in (None, "rest:\n  trust_sender: false\n"):
        if credentials is not None:
            (project / "credentials.yml").write_text(credentials, encoding="utf-8")
        code, _out, err = run("run")
        assert code == 1
        assert "--jwt-secret" in err and "--trust-sender" in err and "trust_sender: true" in err

    (project / "credentials.yml").write_text("rest:\n  trust_sender: maybe\n", encoding="utf-8")
    code, _out, err = run("run")
    assert code == 1
    assert "trust_sender must be true or false, got 'maybe'" in err
