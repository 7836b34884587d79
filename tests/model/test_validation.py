"""validate_project: every problem in config, data, dictionaries and domain, with file:line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hrbot.model.validation import validate_project
from hrbot_test_support import TINY_DOMAIN, TINY_NLU

MakeProject = Callable[..., Path]


def test_validate_project_good_project_has_no_problems(make_project: MakeProject) -> None:
    report = validate_project(make_project())

    assert report.problems == []
    assert report.summary.startswith("48 examples, 6 intents, 4 entity types")


def test_validate_project_entity_not_in_domain_is_a_problem_with_file_and_line(
    make_project: MakeProject,
) -> None:
    project = make_project({"domain.yml": TINY_DOMAIN.replace("  - month\n", "")})

    report = validate_project(project)

    (problem,) = report.problems
    assert problem.message == "entity 'month' is annotated but not declared in the domain"
    nlu = project / "data" / "nlu.yml"
    line = next(number for number, text in enumerate(TINY_NLU.splitlines(), start=1)
                if "(month)" in text)
    assert str(problem.location) == f"{nlu}:{line}"
    assert problem.hint is not None and "'- month'" in problem.hint


def test_validate_project_intent_not_in_domain_is_a_problem(make_project: MakeProject) -> None:
    project = make_project({"domain.yml": TINY_DOMAIN.replace("  - greet\n", "")})

    report = validate_project(project)

    (problem,) = report.problems
    assert problem.message == "intent 'greet' is not declared in the domain"
    line = TINY_NLU.splitlines().index("    - 你好") + 1
    assert str(problem.location) == f"{project / 'data' / 'nlu.yml'}:{line}"


def test_validate_project_retrieval_intents_are_checked_by_base_name(
    make_project: MakeProject,
) -> None:
    extra = "- intent: chitchat/ask_name\n  examples: |\n    - 你叫什么\n"
    project = make_project({
        "data/nlu.yml": TINY_NLU + extra,
        "domain.yml": TINY_DOMAIN.replace("intents:\n", "intents:\n  - chitchat\n"),
    })

    assert validate_project(project).problems == []


def test_validate_project_without_domain_skips_the_domain_check(
    make_project: MakeProject,
) -> None:
    project = make_project({"domain.yml": ""})
    (project / "domain.yml").unlink()

    assert validate_project(project).problems == []


def test_validate_project_reports_data_problems_and_bad_dictionaries(
    make_project: MakeProject,
) -> None:
    project = make_project({"data/userdict.txt": "年假 lots n\n"})

    report = validate_project(project)

    (problem,) = report.problems
    assert str(problem.location) == f"{project / 'data' / 'userdict.txt'}:1"


def test_validate_project_warns_about_intents_with_few_examples(
    make_project: MakeProject,
) -> None:
    extra = "- intent: rare\n  examples: |\n    - 罕见的说法\n"
    project = make_project({
        "data/nlu.yml": TINY_NLU + extra,
        "domain.yml": TINY_DOMAIN.replace("intents:\n", "intents:\n  - rare\n"),
    })

    report = validate_project(project)

    assert report.problems == []
    (warning,) = report.warnings
    assert warning.message == "intent 'rare' has only 1 examples"
    assert warning.location is not None and warning.location.line == len(
        (TINY_NLU + extra).splitlines())


def test_validate_project_collects_config_and_data_problems(make_project: MakeProject) -> None:
    project = make_project({
        "config.yml": "pipeline:\n  - name: Nope\n",
        "data/nlu.yml": TINY_NLU.replace("- intent: greet", "- intent: greet\n  colour: red"),
    })

    report = validate_project(project)

    messages = [p.message for p in report.problems]
    assert "unknown component 'Nope'" in messages
    assert "unknown key 'colour' in nlu item" in messages


DIALOGUE_DOMAIN = TINY_DOMAIN + """
responses:
  utter_greet:
    - text: "您好"
  utter_bye:
    - text: "再见"
"""


def test_validate_project_reports_conflicting_stories_with_both_locations(make_project: MakeProject) -> None:
    stories = """\
stories:
  - story: greet then greet back
    steps:
      - intent: greet
      - action: utter_greet
  - story: greet then say bye
    steps:
      - intent: greet
      - action: utter_bye
"""
    project = make_project({"domain.yml": DIALOGUE_DOMAIN, "data/stories.yml": stories})

    report = validate_project(project)

    conflicts = [p for p in report.problems if "utter_greet" in p.message and "utter_bye" in p.message]
    assert conflicts, [p.message for p in report.problems]
    text = conflicts[0].format()
    assert "greet then greet back" in text and "greet then say bye" in text
    assert "stories.yml:5" in text and "stories.yml:9" in text  # the two diverging actions


def test_validate_project_checks_stories_against_the_domain(make_project: MakeProject) -> None:
    stories = """\
stories:
  - story: unknown things
    steps:
      - intent: greet
      - action: utter_unknown
"""
    project = make_project({"domain.yml": DIALOGUE_DOMAIN, "data/stories.yml": stories})

    report = validate_project(project)

    assert any("utter_unknown" in p.message and p.location and p.location.line == 5
               for p in report.problems), [p.format() for p in report.problems]


def test_validate_project_counts_stories_and_rules_in_its_summary(make_project: MakeProject) -> None:
    rules = "rules:\n  - rule: hi\n    steps:\n      - intent: greet\n      - action: utter_greet\n"
    project = make_project({"domain.yml": DIALOGUE_DOMAIN, "data/rules.yml": rules})

    report = validate_project(project)

    assert not report.problems
    assert report.summary.endswith("0 stories, 1 rules")
