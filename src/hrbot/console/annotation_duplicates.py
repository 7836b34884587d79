"""Is a reviewed message already in the training data? Checked against every NLU example under
the project's data/ folder (data/reviewed.yml included), by exact text and by normalised text:
Unicode NFKC, case folded, without spaces, punctuation and control characters — so "查工资!"
and "查 工资" are the same sentence as "查工资".

    exact, same intent       -> not written again (a duplicate)
    exact, another intent    -> refused: `hrbot train` rejects a sentence under two intents
    normalised, same intent  -> not written (a near duplicate)
    normalised, other intent -> written, with a warning to look at both

The index is rebuilt only when a data file changed (names, sizes, modification times).
"""

from __future__ import annotations

import contextlib
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from hrbot.shared.nlu.rasa_yaml import find_data_files, load_nlu_data
from hrbot.shared.nlu.training_data import TrainingExample


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZC")


@dataclass(frozen=True)
class Existing:
    """An example already in the training data."""

    text: str
    intent: str
    where: str  # file:line, relative to the project

    def describe(self) -> str:
        return f"{self.where}「{self.text}」(意图 {self.intent})"


@dataclass(frozen=True)
class DuplicateCheck:
    """What the training data says about a new example. `kind`: new, duplicate, near_duplicate,
    near_conflict (written with a warning) or conflict (refused)."""

    kind: str
    existing: Existing | None = None

    @property
    def writes(self) -> bool:
        return self.kind in ("new", "near_conflict")

    def warning(self) -> str | None:
        if self.existing is None:
            return None
        where = self.existing.describe()
        return {
            "duplicate": f"训练数据中已有完全相同的例句 {where},未重复写入。",
            "near_duplicate": f"训练数据中已有几乎相同的例句 {where},未重复写入。",
            "near_conflict": f"已写入;但训练数据中几乎相同的例句 {where} 属于另一个意图,请确认两者是否矛盾。",
            "conflict": f"训练数据中已有相同的例句 {where} 属于另一个意图;同一句话不能属于两个意图,"
                        "请选择相同的意图,或先修改该文件。",
        }.get(self.kind)


class TrainingTexts:
    """The project's NLU examples by exact and by normalised text."""

    def __init__(self, examples: list[TrainingExample], project_dir: Path) -> None:
        self.exact: dict[str, Existing] = {}
        self.normalised: dict[str, Existing] = {}
        for example in examples:
            where = "?"
            if example.source is not None:
                path = Path(example.source.file)
                with contextlib.suppress(ValueError):  # outside the project: the path as it is
                    path = path.resolve().relative_to(project_dir.resolve())
                where = f"{path.as_posix()}:{example.source.line}"
            existing = Existing(example.text, example.intent, where)
            self.exact.setdefault(example.text, existing)
            key = normalise(example.text)
            if key:
                self.normalised.setdefault(key, existing)

    def check(self, text: str, intent: str) -> DuplicateCheck:
        same = self.exact.get(text)
        if same is not None:
            return DuplicateCheck("duplicate" if same.intent == intent else "conflict", same)
        near = self.normalised.get(normalise(text))
        if near is not None:
            return DuplicateCheck("near_duplicate" if near.intent == intent else "near_conflict", near)
        return DuplicateCheck("new")


class TrainingTextsCache:
    """`TrainingTexts` of a project's data/ folder, re-read when a file in it changes."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self._lock = threading.Lock()
        self._key: tuple[tuple[str, int, int], ...] | None = None
        self._texts: TrainingTexts | None = None

    def _state(self) -> tuple[tuple[str, int, int], ...]:
        data = self.project_dir / "data"
        if not data.is_dir():
            return ()
        files = find_data_files([data])
        return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)

    def current(self) -> TrainingTexts:
        """The index (blocking: call it from a worker thread). InvalidProjectError when the
        training data cannot be read — fix it first, as `hrbot train` would ask."""
        with self._lock:
            key = self._state()
            if self._texts is None or key != self._key:
                examples = list(load_nlu_data([self.project_dir / "data"], allow_conflicts=True).examples) \
                    if key else []
                self._texts, self._key = TrainingTexts(examples, self.project_dir), key
            return self._texts
