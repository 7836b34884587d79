"""`data/reviewed.yml`: the examples designers confirmed or corrected in the console, as Rasa 3
NLU YAML that `hrbot train` (and Rasa) read with the rest of data/:

    version: "3.1"
    nlu:
    - intent: salary_query
      examples:
      - text: 我[上个月](month)工资怎么少了
        metadata:
          reviewed_by: E1043
          reviewed_at: '2026-11-21T02:00:00+00:00'
          source_event: 42
          review: correct

One writer at a time: an exclusive lock on `data/.reviewed.yml.lock` (also between processes),
then the whole file is written to a temporary file in data/, read back with hrbot's own Rasa
reader, and renamed over the old one — a crash never leaves half a file, and a file that would
stop `hrbot train` is never put in place. Examples written here may be edited by hand; the
console keeps what it finds.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from hrbot.console.annotation import Example
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.rasa_yaml import read_nlu_file

REVIEWED_FILE = Path("data") / "reviewed.yml"
HEADER = (
    "# Examples reviewed in the HR console (confirmed or corrected employee messages).\n"
    "# Written by the console; `hrbot train` reads it with the rest of data/. Hand edits are kept.\n"
)


class ReviewedFileError(RuntimeError):
    """data/reviewed.yml cannot be updated; the message says what to fix."""


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (hand-written `examples: |` blocks) stay literal blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


@dataclass(frozen=True)
class ReviewedExample:
    """An example with who reviewed it, when, from which event, and how (confirm, correct,
    out_of_scope)."""

    example: Example
    reviewed_by: str
    reviewed_at: float
    source_event: int
    review: str

    def item(self) -> dict[str, Any]:
        when = datetime.fromtimestamp(self.reviewed_at, UTC).isoformat(timespec="seconds")
        metadata = {"reviewed_by": self.reviewed_by, "reviewed_at": when, "source_event": self.source_event,
                    "review": self.review}
        return {"intent": self.example.intent,
                "examples": [{"text": self.example.annotated(), "metadata": metadata}]}


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not on POSIX: one process only
        yield
        return
    with open(lock_path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ReviewedFile:
    """data/reviewed.yml of one project."""

    def __init__(self, project_dir: Path) -> None:
        self.path = project_dir / REVIEWED_FILE
        self.lock_path = self.path.with_name("." + self.path.name + ".lock")

    def _document(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": "3.1", "nlu": []}
        try:
            document = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise ReviewedFileError(f"{self.path} 不是有效的 YAML,请先修复:{error}") from None
        if document is None:
            return {"version": "3.1", "nlu": []}
        if not isinstance(document, dict) or not isinstance(document.get("nlu", []), list):
            raise ReviewedFileError(f"{self.path} 应以 'nlu:' 列表保存例句,请先修复该文件。")
        document.setdefault("version", "3.1")
        document.setdefault("nlu", [])
        return document

    def append(self, examples: list[ReviewedExample]) -> None:
        """Add `examples` to the file (blocking: call it from a worker thread)."""
        if not examples:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.lock_path):
            document = self._document()
            document["nlu"].extend(example.item() for example in examples)
            body = HEADER + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                      width=1_000_000, default_flow_style=False)
            handle, temporary = tempfile.mkstemp(prefix=".reviewed-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(body)
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    read_nlu_file(temporary)
                except InvalidProjectError as error:
                    raise ReviewedFileError(
                        f"写入后 {self.path} 将无法被 hrbot train 读取,已放弃写入:{error}") from None
                if self.path.exists():
                    os.chmod(temporary, self.path.stat().st_mode & 0o777)
                else:
                    umask = os.umask(0)
                    os.umask(umask)
                    os.chmod(temporary, 0o666 & ~umask)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    def count(self) -> int:
        """How many examples the file holds (0 when it does not exist or cannot be read)."""
        try:
            document = self._document()
        except ReviewedFileError:
            return 0
        total = 0
        for item in document["nlu"]:
            examples = item.get("examples") if isinstance(item, dict) else None
            if isinstance(examples, list):
                total += len(examples)
            elif isinstance(examples, str):
                total += sum(1 for line in examples.splitlines() if line.strip().startswith("-"))
        return total
