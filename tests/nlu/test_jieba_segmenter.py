"""JiebaSegmenter reproduces jieba's cut exactly, with and without a user dictionary, over a
dictionary that is saved and loaded as files."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from hrbot.nlu.components import jieba_dictionary
from hrbot.nlu.components.jieba_dictionary import (
    JiebaDictionary,
    JiebaSegmenter,
    build_dictionary,
    read_dictionary_file,
)
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.rasa_yaml import load_nlu_data
from hrbot_test_support import REPO_ROOT

EDGE_CASES = [
    "",
    " ",
    "   ",
    "请假\r\n明天",
    "a b\r\nc\td\n",
    "　全角空格　和全角ＡＢＣ１２３，。！",
    "我的假期还剩多少啊😂👍🏻",
    "E12345 的 leave balance 是 3.5 天",
    "涨幅3.5%还是4%",
    "iPhone15Pro报销5000元",
    "C++和C#都会，email是a.b-c@example.com",
    "下周一到周三请年假",
    "2026-11-21 10:00 打卡",
    "《员工手册》第3.2条：年假怎么算？",
    "abc",
    "12345",
    "。。。",
    "\u3000",
    "请3天年假",
]


@functools.cache
def corpus() -> tuple[str, ...]:
    """Every example and lookup element of the project's training data, and edge cases."""
    data = load_nlu_data([REPO_ROOT / "data"])
    texts = sorted({example.text for example in data.examples})
    texts += [element for table in data.lookups for element in table.elements]
    return (*texts, *EDGE_CASES)


def cut_differences(cut_a: Any, cut_b: Any, texts: Iterable[str]) -> list[tuple[str, ...]]:
    differences = []
    for text in texts:
        a, b = list(cut_a(text)), list(cut_b(text))
        if a != b:
            differences.append((text, "/".join(a), "/".join(b)))
    return differences


def test_jieba_segmenter_corpus_is_large_and_varied() -> None:
    texts = corpus()

    assert len(texts) > 300
    assert any(any(c.isascii() and c.isalpha() for c in text) for text in texts)


def test_jieba_segmenter_equals_jieba_cut_without_user_dictionary(
    default_jieba_dictionary: JiebaDictionary, isolated_jieba: Any
) -> None:
    segmenter = default_jieba_dictionary.segmenter()

    assert cut_differences(segmenter.cut, isolated_jieba.lcut, corpus()) == []


def test_jieba_segmenter_equals_jieba_with_the_same_user_dictionary(
    tiny_project: Path, user_jieba_dictionary: JiebaDictionary,
    isolated_jieba: Any, tmp_path: Path,
) -> None:
    userdict = tiny_project / "data" / "userdict.txt"
    reference = isolated_jieba.Tokenizer()
    reference.tmp_dir = isolated_jieba.dt.tmp_dir
    with userdict.open("rb") as handle:
        reference.load_userdict(handle)
    segmenter = user_jieba_dictionary.segmenter()
    texts = [*corpus(), "我要补卡", "我昨天忘记打卡了", "忘打卡了", "剩余年休假天数"]

    assert cut_differences(segmenter.cut, reference.lcut, texts) == []


def test_jieba_segmenter_user_dictionary_changes_the_segmentation(
    default_jieba_dictionary: JiebaDictionary, user_jieba_dictionary: JiebaDictionary
) -> None:
    plain = default_jieba_dictionary.segmenter()
    custom = user_jieba_dictionary.segmenter()

    # 打卡 has frequency 0 in the user dictionary: split by force
    assert list(plain.cut("我昨天忘记打卡了")) == ["我", "昨天", "忘记", "打卡", "了"]
    assert list(custom.cut("我昨天忘记打卡了")) == ["我", "昨天", "忘记", "打", "卡", "了"]
    # 年假 without a frequency gets one suggested that keeps it whole
    assert list(plain.cut("我想请两天年假"))[-2:] == ["年", "假"]
    assert list(custom.cut("我想请两天年假"))[-1] == "年假"
    assert user_jieba_dictionary.frequency("补卡") > 0
    assert user_jieba_dictionary.frequency("打卡") == 0
    assert "打卡" in user_jieba_dictionary.force_split


def test_jieba_segmenter_tokenize_offsets_point_at_the_tokens(
    default_jieba_dictionary: JiebaDictionary,
) -> None:
    segmenter = default_jieba_dictionary.segmenter()

    for text in corpus():
        tokens = segmenter.tokenize(text)
        for word, start, end in tokens:
            assert text[start:end] == word
            assert word.strip()
        starts = [start for _, start, _ in tokens]
        assert starts == sorted(starts)


def test_jieba_segmenter_tokenize_skips_blank_words_only(
    default_jieba_dictionary: JiebaDictionary,
) -> None:
    segmenter = default_jieba_dictionary.segmenter()

    assert segmenter.tokenize("a b\r\n请假 ") == [("a", 0, 1), ("b", 2, 3), ("请假", 5, 7)]
    assert segmenter.tokenize("") == []
    assert segmenter.tokenize(" \t\r\n") == []


def test_jieba_dictionary_save_and_load_round_trip(
    user_jieba_dictionary: JiebaDictionary, tmp_path: Path
) -> None:
    user_jieba_dictionary.save(tmp_path)

    loaded = JiebaDictionary.load(tmp_path)

    assert loaded.total == user_jieba_dictionary.total
    assert loaded.max_word_length == user_jieba_dictionary.max_word_length
    assert loaded.force_split == user_jieba_dictionary.force_split == frozenset({"打卡"})
    assert len(loaded.trie) == len(user_jieba_dictionary.trie)
    for word in ("年假", "补卡", "打卡", "中国", "不存在的词语"):
        assert loaded.frequency(word) == user_jieba_dictionary.frequency(word)
    original, reloaded = user_jieba_dictionary.segmenter(), JiebaSegmenter(loaded)
    for text in corpus()[::5]:
        assert list(reloaded.cut(text)) == list(original.cut(text))


def test_jieba_dictionary_build_reuses_the_cache_while_files_are_unchanged(
    tiny_project: Path, user_jieba_dictionary: JiebaDictionary, cache_dir: Path,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_build(files: Any) -> JiebaDictionary:
        raise AssertionError("dictionary rebuilt although it is in the cache")

    monkeypatch.setattr(jieba_dictionary, "_build_dictionary", no_build)
    copy = tmp_path / "same-content.txt"
    copy.write_bytes((tiny_project / "data" / "userdict.txt").read_bytes())

    cached = build_dictionary([copy], cache_dir)

    assert cached.total == user_jieba_dictionary.total
    assert cached.force_split == user_jieba_dictionary.force_split
    copy.write_text("年假 1 n\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="rebuilt"):
        build_dictionary([copy], cache_dir)


def test_jieba_dictionary_build_works_when_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = JiebaDictionary.build({"年假": 10, "请": 5}, 15)
    monkeypatch.setattr(jieba_dictionary, "_build_dictionary", lambda files: small)
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be", encoding="utf-8")

    dictionary = build_dictionary([], not_a_folder)

    assert dictionary is small
    assert list(dictionary.segmenter().cut("请年假")) == ["请", "年假"]


def test_jieba_dictionary_build_leaves_no_partial_folder_when_saving_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = JiebaDictionary.build({"年假": 10}, 10)
    monkeypatch.setattr(jieba_dictionary, "_build_dictionary", lambda files: small)

    def fail(directory: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(small, "save", fail)

    assert build_dictionary([], tmp_path) is small
    assert list((tmp_path / "jieba").iterdir()) == []


def test_jieba_dictionary_file_reading_accepts_missing_frequency_and_comments(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dict.txt"
    path.write_text("\ufeff# comment\n年假 20000 n\n补卡\n\n打卡 0\n", encoding="utf-8")

    assert read_dictionary_file(path) == {"年假": 20000, "补卡": None, "打卡": 0}


def test_jieba_dictionary_file_with_a_bad_frequency_is_a_problem_with_its_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dict.txt"
    path.write_text("年假 20000 n\n调休 many n\n", encoding="utf-8")

    with pytest.raises(InvalidProjectError) as caught:
        read_dictionary_file(path)

    (problem,) = caught.value.problems
    assert str(problem.location) == f"{path}:2"
    assert "'many'" in problem.message
