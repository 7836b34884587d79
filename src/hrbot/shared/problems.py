"""Problems found in user files, reported all at once with file, line and a fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, optionally a 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's file, and how to fix it."""

    message: str
    location: Location | None = None
    source_line: str | None = None
    hint: str | None = None

    def format(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        parts = [head]
        if self.source_line is not None and self.source_line.strip():
            parts.append(f"    {self.source_line.rstrip()}")
        if self.hint:
            parts.append(f"    fix: {self.hint}")
        return "\n".join(parts)


@dataclass
class ProblemCollector:
    """Collects problems so that every one is reported, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        location = Location(file, line, column) if file is not None else None
        self.problems.append(Problem(message, location, source_line, hint))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)


def format_problems(problems: Iterable[Problem]) -> str:
    items = list(problems)
    noun = "problem" if len(items) == 1 else "problems"
    body = "\n".join(problem.format() for problem in items)
    return f"{len(items)} {noun} found:\n{body}"
