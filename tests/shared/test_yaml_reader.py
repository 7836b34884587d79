"""yaml_reader: plain values that remember their lines; errors with file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.yaml_reader import (
    LocatedDict,
    LocatedList,
    block_start_line,
    line_of,
    parse_yaml_text,
    read_yaml_file,
)

DOCUMENT = """\
# a comment
name: demo
items:
  - first
  - key: value
    other: 2
examples: |
  - one
  - two
plain: text
"""


def test_yaml_reader_builds_located_containers_with_line_numbers() -> None:
    data = parse_yaml_text(DOCUMENT, "doc.yml").data

    assert isinstance(data, LocatedDict)
    assert isinstance(data, dict)
    assert data.line == 2
    assert data.line_of("name") == 2
    assert data.line_of("items") == 3
    items = data["items"]
    assert isinstance(items, LocatedList)
    assert isinstance(items, list)
    assert items.line_of(0) == 4
    assert items.line_of(1) == 5
    assert items[1].line_of("other") == 6


def test_yaml_reader_values_equal_plain_yaml() -> None:
    data = parse_yaml_text(DOCUMENT, "doc.yml").data

    assert data == {
        "name": "demo",
        "items": ["first", {"key": "value", "other": 2}],
        "examples": "- one\n- two\n",
        "plain": "text",
    }


def test_yaml_reader_line_of_falls_back_for_unknown_keys_and_plain_values() -> None:
    data = parse_yaml_text(DOCUMENT, "doc.yml").data

    assert data.line_of("missing") == data.line
    assert data["items"].line_of(99) == data["items"].line
    assert line_of({"a": 1}, "a", 42) == 42
    assert line_of(data, "plain") == 10


def test_yaml_reader_block_start_line_is_the_line_after_a_literal_block_indicator() -> None:
    data = parse_yaml_text(DOCUMENT, "doc.yml").data

    assert block_start_line(data, "examples") == 8
    assert DOCUMENT.splitlines()[8 - 1].strip() == "- one"


def test_yaml_reader_block_start_line_of_a_plain_scalar_is_its_own_line() -> None:
    data = parse_yaml_text(DOCUMENT, "doc.yml").data

    assert block_start_line(data, "plain") == 10
    assert block_start_line("not a mapping", "plain") == 0


def test_yaml_reader_duplicate_key_is_an_error_with_file_line_and_column() -> None:
    text = "intent: a\nexamples: x\nintent: b\n"

    with pytest.raises(InvalidProjectError) as caught:
        parse_yaml_text(text, "data/nlu.yml")

    (problem,) = caught.value.problems
    assert "duplicate key 'intent'" in problem.message
    assert str(problem.location) == "data/nlu.yml:3:1"
    assert "data/nlu.yml:3:1" in str(caught.value)
    assert problem.source_line == "intent: b"


def test_yaml_reader_duplicate_key_in_a_nested_mapping_is_found() -> None:
    text = "nlu:\n- intent: a\n  examples: x\n  examples: y\n"

    with pytest.raises(InvalidProjectError) as caught:
        parse_yaml_text(text, "nested.yml")

    assert str(caught.value.problems[0].location) == "nested.yml:4:3"


def test_yaml_reader_invalid_yaml_error_names_file_and_line() -> None:
    text = "a: 1\nb: [1, 2\nc: 3\n"

    with pytest.raises(InvalidProjectError) as caught:
        parse_yaml_text(text, "broken.yml")

    (problem,) = caught.value.problems
    assert problem.message.startswith("invalid YAML")
    assert problem.location is not None
    assert problem.location.file == "broken.yml"
    assert problem.location.line == 3
    assert "broken.yml:3:" in str(caught.value)


def test_yaml_reader_read_file_reports_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("ok: 1\n  bad indentation: 2\n", encoding="utf-8")

    with pytest.raises(InvalidProjectError) as caught:
        read_yaml_file(path)

    assert caught.value.problems[0].location.file == str(path)
    assert f"{path}:2:" in str(caught.value)


def test_yaml_reader_non_utf8_file_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yml"
    path.write_bytes(b"a: 1\nb: " + "年假".encode("gbk") + b"\n")

    with pytest.raises(InvalidProjectError) as caught:
        read_yaml_file(path)

    (problem,) = caught.value.problems
    assert "not valid UTF-8" in problem.message
    assert str(problem.location) == f"{path}:2"
    assert problem.hint is not None and "UTF-8" in problem.hint


def test_yaml_reader_tolerates_a_utf8_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.yml"
    path.write_bytes(b"\xef\xbb\xbfname: \xe5\xb9\xb4\xe5\x81\x87\n")

    document = read_yaml_file(path)

    assert document.data == {"name": "年假"}
    assert document.data.line_of("name") == 1


def test_yaml_reader_missing_file_is_an_invalid_project_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidProjectError) as caught:
        read_yaml_file(tmp_path / "absent.yml")

    assert "cannot read file" in caught.value.problems[0].message


def test_yaml_reader_document_source_line_and_problem() -> None:
    document = parse_yaml_text(DOCUMENT, "doc.yml")

    assert document.source_line(2) == "name: demo"
    assert document.source_line(0) is None
    assert document.source_line(999) is None
    problem = document.problem(2, "bad name", "rename it")
    assert problem.format() == "doc.yml:2: bad name\n    name: demo\n    fix: rename it"


def test_yaml_reader_refuses_python_object_tags() -> None:
    with pytest.raises(InvalidProjectError):
        parse_yaml_text("a: !!python/object/apply:os.system ['true']\n", "evil.yml")
