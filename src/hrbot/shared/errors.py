"""The one error hierarchy of hrbot.

    HrbotError
    ├── InvalidProjectError       user files (YAML, data, config, domain) are wrong; carries Problems
    │   └── UnknownComponentError a pipeline names a component hrbot does not know
    ├── InvalidEventError         a tracker event (JSON) has an unknown type or a bad field
    │                             (also a ValueError; defined in hrbot.shared.core.events)
    ├── ModelError                a model archive is missing, unreadable or incompatible
    └── MissingDependencyError    an optional extra is not installed; says what to install

Every message says what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable

from hrbot.shared.problems import Problem, format_problems


class HrbotError(Exception):
    """Base of every error hrbot raises on purpose."""


class InvalidProjectError(HrbotError):
    """One or more problems in the user's project files."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(format_problems(self.problems))


class UnknownComponentError(InvalidProjectError):
    """A pipeline or policy list names something that is not registered."""


class ModelError(HrbotError):
    """A trained model cannot be found or loaded."""


class MissingDependencyError(HrbotError):
    """An optional dependency is needed for a feature the project asked for."""

    def __init__(self, package: str, feature: str, extra: str | None = None) -> None:
        install = f"pip install 'hrbot[{extra}]'" if extra else f"pip install {package}"
        super().__init__(f"{feature} needs the package '{package}', which is not installed: {install}")
        self.package = package
