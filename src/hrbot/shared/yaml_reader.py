"""Read YAML files into plain Python values that remember their line numbers.

Mappings become `LocatedDict`, sequences `LocatedList`; both are ordinary dicts and lists
that also know the 1-based line of each key or item, so that later checks can report
`file:line`. Syntax errors and duplicate keys become `InvalidProjectError`s naming the file,
line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location, Problem

MAX_YAML_BYTES = 50 * 1024 * 1024


class LocatedDict(dict[Any, Any]):
    """A dict that knows the line of each key (and the line where it starts)."""

    line: int = 0
    key_lines: dict[Any, int]
    value_nodes: dict[Any, Node]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A list that knows the line of each item (and the line where it starts)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line of `key` in a located container, or `default` for plain values."""
    if isinstance(container, (LocatedDict, LocatedList)):
        return container.line_of(key)
    return default


def block_start_line(container: Any, key: Any) -> int:
    """The line where a scalar's text starts (the line after `|` for literal blocks)."""
    if isinstance(container, LocatedDict):
        node = container.value_nodes.get(key)
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">"):
                return node.start_mark.line + 2
            return node.start_mark.line + 1
        return container.line_of(key)
    return 0


class _LocatingLoader(yaml.SafeLoader):
    """A SafeLoader that builds located containers and rejects duplicate keys."""

    def construct_located_mapping(self, node: MappingNode) -> Iterator[LocatedDict]:
        mapping = LocatedDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        mapping.value_nodes = {}
        yield mapping
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError as error:
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found an unhashable key", key_node.start_mark,
                ) from error
            if key in mapping:
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"found duplicate key {key!r}", key_node.start_mark,
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
            mapping.value_nodes[key] = value_node

    def construct_located_sequence(self, node: SequenceNode) -> Iterator[LocatedList]:
        sequence = LocatedList()
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
        yield sequence
        sequence.extend(self.construct_object(child, deep=True) for child in node.value)


_LocatingLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LocatingLoader.construct_located_mapping
)
_LocatingLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LocatingLoader.construct_located_sequence
)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and its source lines for error messages."""

    path: str
    data: Any
    lines: tuple[str, ...]

    def source_line(self, line: int) -> str | None:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return None

    def problem(self, line: int, message: str, hint: str | None = None) -> Problem:
        return Problem(message, Location(self.path, line or None), self.source_line(line), hint)


def parse_yaml_text(text: str, path: str) -> YamlDocument:
    """Parse YAML text; raise `InvalidProjectError` with file:line:column on bad syntax."""
    lines = tuple(text.splitlines())
    try:
        data = yaml.load(text, Loader=_LocatingLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        reason = " ".join(part for part in (error.context, error.problem) if part)
        source = lines[line - 1] if line and line <= len(lines) else None
        raise InvalidProjectError(
            [
                Problem(
                    f"invalid YAML: {reason}",
                    Location(path, line, column),
                    source,
                    "check indentation, quotes and the ':' after keys around this line",
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise InvalidProjectError(
            [Problem(f"invalid YAML: {error}", Location(path), None, "fix the YAML syntax")]
        ) from None
    return YamlDocument(path=path, data=data, lines=lines)


def read_yaml_file(path: Path | str) -> YamlDocument:
    """Read and parse a YAML file (UTF-8, BOM tolerated)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InvalidProjectError(
                [Problem(f"file is {size} bytes, more than the {MAX_YAML_BYTES} allowed",
                         Location(str(file)), None, "split it into several files")]
            )
        raw = file.read_bytes()
    except OSError as error:
        raise InvalidProjectError(
            [Problem(f"cannot read file: {error.strerror}", Location(str(file)), None,
                     "check that the path exists and is readable")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidProjectError(
            [Problem("file is not valid UTF-8", Location(str(file), line), None,
                     "save the file as UTF-8")]
        ) from None
    return parse_yaml_text(text, str(file))
