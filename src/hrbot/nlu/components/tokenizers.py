"""Tokenizers: split the message into tokens with character offsets."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from hrbot.nlu.component import Component, ParseContext, TrainContext
from hrbot.nlu.components.jieba_dictionary import (
    JiebaDictionary,
    JiebaSegmenter,
    build_dictionary,
)
from hrbot.nlu.doc import NLUDoc, Token
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import TrainingData
from hrbot.shared.problems import Problem

_DICTIONARY_SUFFIXES = (".txt", ".dict", ".dic")


def user_dictionary_files(option: str | Sequence[str] | None, project_dir: Path) -> list[Path]:
    """Files named by a `dictionary_path` option: files, or every dictionary file in a folder."""
    if not option:
        return []
    raw_paths = [option] if isinstance(option, str) else list(option)
    files: list[Path] = []
    for raw in raw_paths:
        path = Path(raw)
        if not path.is_absolute():
            path = project_dir / path
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in _DICTIONARY_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidProjectError(
                [Problem(f"jieba dictionary_path '{raw}' does not exist", None, None,
                         "point dictionary_path at a user dictionary file or a folder of them")]
            )
    return files


class JiebaTokenizer(Component):
    """Chinese word segmentation with jieba and a user dictionary of domain words."""

    name = "JiebaTokenizer"
    defaults: ClassVar[Mapping[str, Any]] = {
        "dictionary_path": None,
        "intent_tokenization_flag": False,
        "intent_split_symbol": "_",
        "token_pattern": None,
    }
    prepares_training_docs = True

    def __init__(
        self, options: Mapping[str, Any] | None = None, dictionary: JiebaDictionary | None = None
    ) -> None:
        super().__init__(options)
        self._dictionary = dictionary
        self._segmenter: JiebaSegmenter | None = dictionary.segmenter() if dictionary else None

    def train(self, data: TrainingData, docs: Sequence[NLUDoc], context: TrainContext) -> None:
        files = user_dictionary_files(self.options["dictionary_path"], context.project_dir)
        context.progress(f"building the jieba dictionary with {len(files)} user dictionaries")
        self._dictionary = build_dictionary(files, context.cache_dir)
        self._segmenter = self._dictionary.segmenter()

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        if self._segmenter is None:
            raise RuntimeError("JiebaTokenizer used before training or loading")
        doc.tokens = [Token(w, s, e) for w, s, e in self._segmenter.tokenize(doc.text)]

    def persist(self, directory: Path) -> None:
        if self._dictionary is not None:
            self._dictionary.save(directory)

    @classmethod
    def load(cls, options: Mapping[str, Any], directory: Path) -> Self:
        return cls(options, JiebaDictionary.load(directory))


_WHITESPACE_TOKEN = re.compile(r"[^\s]+")
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


class WhitespaceTokenizer(Component):
    """Splits on white space and strips punctuation at token edges (for non-Chinese text)."""

    name = "WhitespaceTokenizer"
    defaults: ClassVar[Mapping[str, Any]] = {
        "intent_tokenization_flag": False,
        "intent_split_symbol": "_",
        "token_pattern": None,
    }
    prepares_training_docs = True

    def process(self, doc: NLUDoc, context: ParseContext) -> None:
        tokens: list[Token] = []
        for match in _WHITESPACE_TOKEN.finditer(doc.text):
            word = match.group()
            stripped = _EDGE_PUNCTUATION.sub("", word)
            if not stripped:
                continue
            offset = word.find(stripped)
            start = match.start() + offset
            tokens.append(Token(stripped, start, start + len(stripped)))
        doc.tokens = tokens
