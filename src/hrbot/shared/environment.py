"""`${NAME}` in YAML settings (endpoints.yml, credentials.yml), replaced from the environment
as Rasa does; an unset or empty reference is reported at its line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from hrbot.shared.yaml_reader import line_of

ENV_PATTERN = re.compile(r"\$\{([^}]*)\}")

Report = Callable[[int, str, str], None]
"""Called with (line, message, hint) for each problem."""


class EnvironmentExpander:
    """Replaces `${NAME}` in strings, recursively through mappings and lists. `file_name` is
    named in the hint for an unset variable."""

    def __init__(self, environ: Mapping[str, str], report: Report, file_name: str) -> None:
        self.environ = environ
        self.report = report
        self.file_name = file_name

    def expand(self, value: Any, line: int) -> Any:
        if isinstance(value, str):
            return self.expand_text(value, line)
        if isinstance(value, dict):
            return {key: self.expand(item, line_of(value, key, line)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.expand(item, line_of(value, index, line)) for index, item in enumerate(value)]
        return value

    def expand_text(self, text: str, line: int) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if not name:
                self.report(line, f"empty environment variable reference '{match.group(0)}'",
                            "write ${NAME} with the name of an environment variable")
                return match.group(0)
            found = self.environ.get(name)
            if found is None:
                self.report(line, f"environment variable '{name}' is not set",
                            f"set {name} before starting hrbot (export {name}=...), "
                            f"or write the value into {self.file_name}")
                return match.group(0)
            return found

        return ENV_PATTERN.sub(substitute, text)
