"""jieba's segmentation over a compact, fast-loading dictionary.

jieba keeps its dictionary as a Python dict of ~500k prefixes, which takes over a second to
load, and importing jieba costs another ~0.2 s. Here the words live in a marisa trie (about
1 MB, loaded in milliseconds) with a frequency array, and the HMM tables for unknown words
are copied from jieba at training time. `JiebaSegmenter` reproduces `jieba.cut(HMM=True)`
exactly (the tests compare them on thousands of sentences) without importing jieba.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location, Problem

_MIN_FLOAT = -3.14e100
_PREVIOUS_STATES = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}
_RE_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)")
_RE_SKIP = re.compile("(\r\n|\\s)")
_RE_HMM_HAN = re.compile("([\u4e00-\u9fd5]+)")
_RE_HMM_SKIP = re.compile("([a-zA-Z0-9]+(?:\\.\\d+)?%?)")


@dataclass(frozen=True)
class HiddenMarkovModel:
    """jieba's BMES character model for words not in the dictionary (log probabilities)."""

    start: Mapping[str, float]
    transitions: Mapping[str, Mapping[str, float]]
    emissions: Mapping[str, Mapping[str, float]]

    @classmethod
    def from_jieba(cls) -> HiddenMarkovModel:
        from jieba.finalseg import prob_emit, prob_start, prob_trans

        return cls(dict(prob_start.P), dict(prob_trans.P), dict(prob_emit.P))

    def to_json(self) -> str:
        payload = {"start": self.start, "transitions": self.transitions, "emissions": self.emissions}
        return json.dumps(payload, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> HiddenMarkovModel:
        data = json.loads(text)
        return cls(data["start"], data["transitions"], data["emissions"])

    def viterbi(self, text: str) -> list[str]:
        start, transitions, emissions = self.start, self.transitions, self.emissions
        scores = [{}]  # type: list[dict[str, float]]
        paths = {}
        for state in "BMES":
            scores[0][state] = start[state] + emissions[state].get(text[0], _MIN_FLOAT)
            paths[state] = [state]
        for t in range(1, len(text)):
            scores.append({})
            new_paths = {}
            for state in "BMES":
                emission = emissions[state].get(text[t], _MIN_FLOAT)
                score, previous = max(
                    (scores[t - 1][p] + transitions[p].get(state, _MIN_FLOAT) + emission, p)
                    for p in _PREVIOUS_STATES[state]
                )
                scores[t][state] = score
                new_paths[state] = paths[previous] + [state]
            paths = new_paths
        _, state = max((scores[len(text) - 1][s], s) for s in "ES")
        return paths[state]

    def cut(self, text: str, force_split: frozenset[str]) -> Iterator[str]:
        for block in _RE_HMM_HAN.split(text):
            if not block:
                continue
            if _RE_HMM_HAN.match(block):
                for word in self._cut_han(block):
                    if word in force_split:
                        yield from word
                    else:
                        yield word
            else:
                yield from (piece for piece in _RE_HMM_SKIP.split(block) if piece)

    def _cut_han(self, text: str) -> Iterator[str]:
        states = self.viterbi(text)
        begin, next_index = 0, 0
        for i, char in enumerate(text):
            state = states[i]
            if state == "B":
                begin = i
            elif state == "E":
                yield text[begin : i + 1]
                next_index = i + 1
            elif state == "S":
                yield char
                next_index = i + 1
        if next_index < len(text):
            yield text[next_index:]


class JiebaDictionary:
    """Words and frequencies for segmentation, stored as a trie plus an array."""

    def __init__(
        self,
        trie: Any,
        frequencies: npt.NDArray[np.int64],
        *,
        total: int,
        max_word_length: int,
        hmm: HiddenMarkovModel,
        force_split: Iterable[str] = (),
    ) -> None:
        self.trie = trie
        self.frequencies = frequencies
        self.total = total
        self.max_word_length = max_word_length
        self.hmm = hmm
        self.force_split = frozenset(force_split)

    @classmethod
    def build(
        cls, entries: Mapping[str, int], total: int, force_split: Iterable[str] = ()
    ) -> JiebaDictionary:
        import marisa_trie

        kept = {word: freq for word, freq in entries.items() if freq > 0}
        trie = marisa_trie.Trie(list(kept))
        ids = np.fromiter((trie[word] for word in kept), dtype=np.int64, count=len(kept))
        frequencies = np.zeros(len(trie), dtype=np.int64)
        frequencies[ids] = np.fromiter(kept.values(), dtype=np.int64, count=len(kept))
        longest = max((len(word) for word in kept), default=1)
        return cls(trie, frequencies, total=total, max_word_length=longest,
                   hmm=HiddenMarkovModel.from_jieba(), force_split=force_split)

    def save(self, directory: Path) -> None:
        self.trie.save(str(directory / "words.marisa"))
        np.save(directory / "frequencies.npy", np.minimum(self.frequencies, 2**31 - 1).astype(np.int32))
        (directory / "hmm.json").write_text(self.hmm.to_json(), encoding="utf-8")
        meta = {"total": self.total, "max_word_length": self.max_word_length,
                "force_split": sorted(self.force_split)}
        (directory / "dictionary.json").write_text(json.dumps(meta, ensure_ascii=False),
                                                   encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> JiebaDictionary:
        import marisa_trie

        trie = marisa_trie.Trie()
        trie.load(str(directory / "words.marisa"))
        meta = json.loads((directory / "dictionary.json").read_text(encoding="utf-8"))
        hmm = HiddenMarkovModel.from_json((directory / "hmm.json").read_text(encoding="utf-8"))
        frequencies = np.load(directory / "frequencies.npy").astype(np.int64)
        return cls(trie, frequencies, total=int(meta["total"]),
                   max_word_length=int(meta["max_word_length"]), hmm=hmm,
                   force_split=meta.get("force_split", ()))

    def frequency(self, word: str) -> int:
        index = self.trie.get(word)
        return 0 if index is None else int(self.frequencies[index])

    def segmenter(self) -> JiebaSegmenter:
        return JiebaSegmenter(self)


class JiebaSegmenter:
    """Cuts text into words exactly as `jieba.Tokenizer.cut(text, HMM=True)` would."""

    def __init__(self, dictionary: JiebaDictionary) -> None:
        self._dictionary = dictionary
        self._log_total = math.log(dictionary.total)

    def _route(self, text: str) -> list[int]:
        """For each position, where the best word starting there ends (inclusive)."""
        trie = self._dictionary.trie
        frequencies = self._dictionary.frequencies
        window = self._dictionary.max_word_length
        length = len(text)
        log_total = self._log_total
        best = [0.0] * (length + 1)
        ends = [0] * length
        for start in range(length - 1, -1, -1):
            candidates = []
            for word in trie.prefixes(text[start : start + window]):
                end = start + len(word) - 1
                freq = int(frequencies[trie[word]]) or 1
                candidates.append((math.log(freq) - log_total + best[end + 1], end))
            if not candidates:  # a character jieba does not know is a word of frequency 1
                candidates.append((-log_total + best[start + 1], start))
            best[start], ends[start] = max(candidates)
        return ends

    def _cut_block(self, text: str) -> Iterator[str]:
        ends = self._route(text)
        position, buffer = 0, ""
        while position < len(text):
            after = ends[position] + 1
            word = text[position:after]
            if after - position == 1:
                buffer += word
            else:
                if buffer:
                    yield from self._flush(buffer)
                    buffer = ""
                yield word
            position = after
        if buffer:
            yield from self._flush(buffer)

    def _flush(self, buffer: str) -> Iterator[str]:
        if len(buffer) == 1:
            yield buffer
        elif not self._dictionary.frequency(buffer):
            yield from self._dictionary.hmm.cut(buffer, self._dictionary.force_split)
        else:
            yield from buffer

    def cut(self, text: str) -> Iterator[str]:
        for block in _RE_HAN.split(text):
            if not block:
                continue
            if _RE_HAN.match(block):
                yield from self._cut_block(block)
            else:
                for piece in _RE_SKIP.split(block):
                    if _RE_SKIP.match(piece):
                        yield piece
                    else:
                        yield from piece

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) for every non-blank word."""
        result: list[tuple[str, int, int]] = []
        start = 0
        for word in self.cut(text):
            end = start + len(word)
            if word.strip():
                result.append((word, start, end))
            start = end
        return result


def jieba_default_dictionary_path() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        from hrbot.shared.errors import MissingDependencyError

        raise MissingDependencyError("jieba", "JiebaTokenizer")
    return Path(spec.origin).parent / "dict.txt"


def read_dictionary_file(path: Path) -> dict[str, int | None]:
    """Entries of a jieba dictionary file: `word [freq [tag]]` per line.

    A missing frequency is returned as None (jieba then suggests one).
    """
    entries: dict[str, int | None] = {}
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidProjectError(
            [Problem(f"cannot read jieba dictionary: {error}", Location(str(path)), None,
                     "check the path in the tokenizer's dictionary_path option (UTF-8 text)")]
        ) from None
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.strip().split()
        if not parts or parts[0].startswith("#"):
            continue
        word = parts[0]
        if len(parts) >= 2:
            try:
                freq = int(parts[1])
            except ValueError:
                problems.append(
                    Problem(f"frequency '{parts[1]}' is not a whole number",
                            Location(str(path), number), line,
                            "write 'word frequency [tag]', e.g. '年假 3000 n'")
                )
                continue
            entries[word] = freq
        else:
            entries[word] = None
    if problems:
        raise InvalidProjectError(problems)
    return entries


def _suggest_frequency(word: str, base: Mapping[str, int], total: int) -> int:
    """jieba's `suggest_freq(word, tune=False)`: enough to keep `word` in one piece."""
    best: dict[int, float] = {len(word): 0.0}
    for start in range(len(word) - 1, -1, -1):
        candidates = []
        for end in range(start + 1, len(word) + 1):
            piece = word[start:end]
            if end - start == 1 or piece in base:
                freq = base.get(piece, 1) or 1
                candidates.append(math.log(freq / total) + best[end])
        best[start] = max(candidates)
    probability = math.exp(best[0])
    return max(int(probability * total) + 1, base.get(word, 1))


def build_dictionary(
    user_dictionaries: Iterable[Path], cache_dir: Path | None = None
) -> JiebaDictionary:
    """jieba's default dictionary plus user dictionaries (later files win).

    Building takes a second or two; with `cache_dir` the result is kept there under a hash
    of the dictionary files' contents and reused while they are unchanged.
    """
    files = [jieba_default_dictionary_path(), *user_dictionaries]
    if cache_dir is None:
        return _build_dictionary(files[1:])
    digest = hashlib.sha256(b"hrbot-jieba-1")
    for file in files:
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    folder = cache_dir / "jieba" / digest.hexdigest()[:32]
    if (folder / "dictionary.json").exists():
        try:
            return JiebaDictionary.load(folder)
        except (OSError, ValueError, KeyError):
            pass
    dictionary = _build_dictionary(files[1:])
    partial: Path | None = None
    try:  # caching is an optimisation: an unwritable cache only means building next time too
        (cache_dir / "jieba").mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=cache_dir / "jieba"))
        dictionary.save(partial)
        os.replace(partial, folder)
    except OSError:
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
    return dictionary


def _build_dictionary(user_dictionaries: Iterable[Path]) -> JiebaDictionary:
    base: dict[str, int] = {}
    with open(jieba_default_dictionary_path(), encoding="utf-8") as handle:
        for line in handle:
            entry, count, *_ = line.split(" ", 2)
            base[entry] = int(count)
    total = sum(base.values())
    force_split: set[str] = set()
    for path in user_dictionaries:
        for word, freq in read_dictionary_file(path).items():
            if freq is None:
                freq = _suggest_frequency(word, base, total)
            if freq == 0:
                force_split.add(word)
            base[word] = freq
            total += freq
    return JiebaDictionary.build(base, total, force_split)
