"""Reading Rasa 3.x NLU training data: examples with source lines, synonyms, regexes,
lookups, and every problem reported at once with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.rasa_yaml import (
    find_data_files,
    load_nlu_data,
    read_nlu_file,
    read_nlu_section,
)
from hrbot.shared.nlu.training_data import EntityAnnotation, SourceRef
from hrbot.shared.yaml_reader import parse_yaml_text

GOOD = """\
version: "3.1"
nlu:
- intent: leave_balance
  examples: |
    - 我还剩几天[年假](leave_type)
    - 剩余[年休假](leave_type:年假)天数

    - 假期余额
- intent: greet
  examples:
    - text: 你好
      metadata: {sentiment: neutral}
    - 早上好
- synonym: 年假
  examples: |
    - 带薪年假
- regex: employee_id
  examples: |
    - E\\d{5}
- lookup: leave_type
  examples: |
    - 年假
    - 病假
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(error: pytest.ExceptionInfo[InvalidProjectError]) -> list[str]:
    return [problem.format() for problem in error.value.problems]


def test_rasa_yaml_examples_have_text_intent_entities_and_exact_source_lines(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "nlu.yml", GOOD)

    data = read_nlu_file(path)

    by_text = {example.text: example for example in data.examples}
    assert list(by_text) == ["我还剩几天年假", "剩余年休假天数", "假期余额", "你好", "早上好"]
    assert by_text["我还剩几天年假"].source == SourceRef(str(path), 5)
    assert by_text["剩余年休假天数"].source == SourceRef(str(path), 6)
    assert by_text["假期余额"].source == SourceRef(str(path), 8)
    assert by_text["你好"].source == SourceRef(str(path), 11)
    assert by_text["早上好"].source == SourceRef(str(path), 13)
    assert by_text["我还剩几天年假"].intent == "leave_balance"
    assert by_text["我还剩几天年假"].entities == (
        EntityAnnotation("leave_type", 5, 7, "年假"),
    )
    assert by_text["你好"].metadata == {"sentiment": "neutral"}


def test_rasa_yaml_annotation_with_a_value_becomes_a_synonym(tmp_path: Path) -> None:
    data = read_nlu_file(write(tmp_path, "nlu.yml", GOOD))

    from_annotation = [s for s in data.synonyms if s.surface == "年休假"]
    assert len(from_annotation) == 1
    assert from_annotation[0].value == "年假"
    assert from_annotation[0].source == SourceRef(str(tmp_path / "nlu.yml"), 6)


def test_rasa_yaml_reads_synonym_regex_and_lookup_sections(tmp_path: Path) -> None:
    path = write(tmp_path, "nlu.yml", GOOD)

    data = read_nlu_file(path)

    assert data.synonym_map() == {"年休假": "年假", "带薪年假": "年假"}
    (regex,) = data.regexes
    assert (regex.name, regex.pattern) == ("employee_id", r"E\d{5}")
    assert regex.source == SourceRef(str(path), 19)
    (lookup,) = data.lookups
    assert (lookup.name, lookup.elements) == ("leave_type", ("年假", "病假"))
    assert data.intents == ["greet", "leave_balance"]
    assert data.entity_types == ["leave_type"]


def test_rasa_yaml_files_without_nlu_section_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "data/nlu.yml", GOOD)
    write(tmp_path, "data/stories.yml", "stories:\n- story: s\n  steps: []\n")
    write(tmp_path, "data/notes.txt", "not yaml: [")

    data = load_nlu_data([tmp_path / "data"])

    assert len(data.examples) == 5


def test_rasa_yaml_example_under_two_intents_is_one_problem_naming_both_places(
    tmp_path: Path,
) -> None:
    write(tmp_path, "data/a.yml", "nlu:\n- intent: greet\n  examples: |\n    - 你好\n    - 早\n")
    write(tmp_path, "data/b.yml", "nlu:\n- intent: bye\n  examples: |\n    - 再见\n    - 你好\n")

    with pytest.raises(InvalidProjectError) as caught:
        load_nlu_data([tmp_path / "data"])

    (problem,) = caught.value.problems
    text = problem.format()
    assert f"{tmp_path / 'data' / 'b.yml'}:5" in text
    assert f"{tmp_path / 'data' / 'a.yml'}:4" in text
    assert "'greet'" in text and "'bye'" in text


def test_rasa_yaml_conflicting_examples_are_allowed_on_request(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "nlu:\n- intent: greet\n  examples: |\n    - 你好\n")
    write(tmp_path, "b.yml", "nlu:\n- intent: bye\n  examples: |\n    - 你好\n")

    data = load_nlu_data([tmp_path], allow_conflicts=True)

    assert sorted(e.intent for e in data.examples) == ["bye", "greet"]


def test_rasa_yaml_same_example_twice_under_one_intent_is_kept_once(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "nlu:\n- intent: greet\n  examples: |\n    - 你好\n")
    write(tmp_path, "b.yml", "nlu:\n- intent: greet\n  examples: |\n    - 你好\n    - 早\n")

    data = load_nlu_data([tmp_path])

    assert [e.text for e in data.examples] == ["你好", "早"]


@pytest.mark.parametrize("examples", ["examples: |\n", "examples:\n", "examples: []\n"])
def test_rasa_yaml_intent_without_examples_is_a_problem(examples: str) -> None:
    document = parse_yaml_text(f"nlu:\n- intent: empty\n  {examples}", "nlu.yml")

    _, problems = read_nlu_section(document)

    (problem,) = problems
    assert problem.message == "intent 'empty' has no examples"
    assert str(problem.location) == "nlu.yml:2"


def test_rasa_yaml_example_line_without_dash_is_a_problem_with_its_line() -> None:
    document = parse_yaml_text(
        "nlu:\n- intent: greet\n  examples: |\n    - 你好\n    早上好\n", "nlu.yml"
    )

    data, problems = read_nlu_section(document)

    (problem,) = problems
    assert "does not start with '- '" in problem.message
    assert str(problem.location) == "nlu.yml:5"
    assert problem.source_line == "    早上好"
    assert [e.text for e in data.examples] == ["你好"]


def test_rasa_yaml_invalid_regex_is_a_problem_with_its_line() -> None:
    document = parse_yaml_text(
        "nlu:\n- regex: code\n  examples: |\n    - \\d+\n    - (unclosed\n", "nlu.yml"
    )

    data, problems = read_nlu_section(document)

    (problem,) = problems
    assert "regex 'code' does not compile" in problem.message
    assert str(problem.location) == "nlu.yml:5"
    assert [r.pattern for r in data.regexes] == [r"\d+"]


def test_rasa_yaml_unknown_key_in_an_nlu_item_is_a_problem() -> None:
    document = parse_yaml_text(
        "nlu:\n- intent: greet\n  colour: red\n  examples: |\n    - 你好\n", "nlu.yml"
    )

    _, problems = read_nlu_section(document)

    (problem,) = problems
    assert problem.message == "unknown key 'colour' in nlu item"
    assert str(problem.location) == "nlu.yml:3"
    assert problem.hint is not None and "examples" in problem.hint


def test_rasa_yaml_item_with_two_kinds_is_a_problem() -> None:
    document = parse_yaml_text(
        "nlu:\n- intent: a\n  synonym: b\n  examples: |\n    - x\n", "nlu.yml"
    )

    _, problems = read_nlu_section(document)

    assert "exactly one of" in problems[0].message


def test_rasa_yaml_nlu_that_is_not_a_list_is_a_problem() -> None:
    _, problems = read_nlu_section(parse_yaml_text("nlu: {intent: a}\n", "nlu.yml"))

    assert problems[0].message.startswith("'nlu' must be a list")


BROKEN = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    早上好
    - [年假(leave_type)
- intent: empty
  examples: |
- regex: bad
  examples: |
    - (unclosed
- intent: extra
  colour: red
  examples: |
    - 红色
- synonym: annual
- intent: json
  examples: |
    - [x]{"entity": oops}
    - [y]{"entity": "a", "size": 1}
"""


def test_rasa_yaml_every_problem_of_a_broken_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "data/nlu.yml", BROKEN)

    with pytest.raises(InvalidProjectError) as caught:
        load_nlu_data([tmp_path / "data"])

    found = sorted(
        (problem.location.line, problem.message.split(":")[0].split(" (")[0])
        for problem in caught.value.problems
        if problem.location is not None
    )
    assert [line for line, _ in found] == [6, 7, 8, 12, 14, 17, 20, 21]
    assert len(caught.value.problems) == 8
    assert str(caught.value).startswith("8 problems found:")
    assert all(p.location is not None and p.location.file == str(path)
               for p in caught.value.problems)


def test_rasa_yaml_problems_of_several_files_are_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "data/a.yml", "nlu:\n- intent: a\n  examples: |\n    - [x\n")
    write(tmp_path, "data/b.yml", "nlu:\n- intent: b\n  examples: |\n    - y]\n")
    write(tmp_path, "data/c.yml", "nlu: [\n")

    with pytest.raises(InvalidProjectError) as caught:
        load_nlu_data([tmp_path / "data"])

    files = sorted(Path(p.location.file).name for p in caught.value.problems if p.location)
    assert files == ["a.yml", "b.yml", "c.yml"]


def test_rasa_yaml_missing_data_path_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidProjectError) as caught:
        find_data_files([tmp_path / "nowhere"])

    assert "does not exist" in caught.value.problems[0].message


def test_rasa_yaml_find_data_files_is_recursive_and_sorted(tmp_path: Path) -> None:
    write(tmp_path, "data/z.yml", "nlu: []\n")
    write(tmp_path, "data/sub/a.yaml", "nlu: []\n")
    write(tmp_path, "data/b.yml", "nlu: []\n")
    write(tmp_path, "data/readme.md", "# no\n")

    files = find_data_files([tmp_path / "data"])

    assert [p.relative_to(tmp_path / "data").as_posix() for p in files] == [
        "b.yml", "sub/a.yaml", "z.yml"
    ]
