"""Problems in user files: formatting with file:line, and the error types carrying them."""

from __future__ import annotations

from hrbot.shared.errors import (
    HrbotError,
    InvalidProjectError,
    MissingDependencyError,
    UnknownComponentError,
)
from hrbot.shared.problems import Location, Problem, ProblemCollector, format_problems


def test_problems_location_formats_file_line_and_column() -> None:
    assert str(Location("a.yml")) == "a.yml"
    assert str(Location("a.yml", 3)) == "a.yml:3"
    assert str(Location("a.yml", 3, 7)) == "a.yml:3:7"
    assert str(Location("a.yml", None, 7)) == "a.yml"


def test_problems_problem_format_has_location_source_line_and_fix() -> None:
    problem = Problem("bad thing", Location("nlu.yml", 4), "    - [x  \n", "do this")

    assert problem.format() == "nlu.yml:4: bad thing\n        - [x\n    fix: do this"


def test_problems_problem_format_without_location_blank_source_or_hint() -> None:
    assert Problem("just a message").format() == "just a message"
    assert Problem("m", Location("f"), "   ").format() == "f: m"


def test_problems_format_problems_counts_and_lists_each() -> None:
    one = Problem("first", Location("a", 1))
    two = Problem("second", Location("b", 2))

    assert format_problems([one]) == "1 problem found:\na:1: first"
    assert format_problems([one, two]) == "2 problems found:\na:1: first\nb:2: second"


def test_problems_collector_collects_every_problem() -> None:
    collector = ProblemCollector()
    assert not collector

    collector.add("first", file="a.yml", line=2, hint="fix")
    collector.add("second")
    collector.extend([Problem("third")])

    assert collector
    assert len(collector) == 3
    assert str(collector.problems[0].location) == "a.yml:2"
    assert collector.problems[1].location is None


def test_problems_invalid_project_error_message_lists_all_problems() -> None:
    problems = [Problem("one", Location("a", 1)), Problem("two", Location("b", 2))]

    error = InvalidProjectError(problems)

    assert error.problems == tuple(problems)
    assert str(error) == format_problems(problems)
    assert isinstance(error, HrbotError)
    assert issubclass(UnknownComponentError, InvalidProjectError)


def test_problems_missing_dependency_error_says_what_to_install() -> None:
    with_extra = MissingDependencyError("spacy", "The spaCy components", extra="spacy")
    plain = MissingDependencyError("foo", "Feature X")

    assert "pip install 'hrbot[spacy]'" in str(with_extra)
    assert "pip install foo" in str(plain)
    assert with_extra.package == "spacy"
