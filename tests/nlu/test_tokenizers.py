"""Tokenizers: tokens with character offsets into the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.tokenizers import (
    JiebaTokenizer,
    WhitespaceTokenizer,
    user_dictionary_files,
)
from hrbot.nlu.doc import NLUDoc, Token
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import TrainingData
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)
SENTENCES = [
    "我还剩几天年假",
    "我昨天忘记打卡了，要补卡",
    "  请假 \r\n 明天  ",
    "E12345 的 leave balance 是 3.5 天😂",
    "　全角　ＡＢＣ１２３",
    "",
]


@pytest.fixture(scope="module")
def jieba_tokenizer(tiny_project: Path, cache_dir: Path) -> JiebaTokenizer:
    tokenizer = JiebaTokenizer({"dictionary_path": "data/userdict.txt"})
    context = TrainContext(REFERENCE_TIME, lambda message: None, tiny_project, cache_dir)
    tokenizer.train(TrainingData(), [], context)
    return tokenizer


def tokens(tokenizer: JiebaTokenizer | WhitespaceTokenizer, text: str) -> list[Token]:
    doc = NLUDoc(text)
    tokenizer.process(doc, CONTEXT)
    return doc.tokens


@pytest.mark.parametrize("text", SENTENCES)
def test_jieba_tokenizer_offsets_point_at_the_token_text(
    jieba_tokenizer: JiebaTokenizer, text: str
) -> None:
    found = tokens(jieba_tokenizer, text)

    for token in found:
        assert text[token.start : token.end] == token.text
        assert token.text.strip()
    assert "".join(t.text for t in found) == "".join(text.split())


def test_jieba_tokenizer_uses_the_user_dictionary(jieba_tokenizer: JiebaTokenizer) -> None:
    assert [t.text for t in tokens(jieba_tokenizer, "我昨天忘记打卡了，要补卡")] == [
        "我", "昨天", "忘记", "打", "卡", "了", "，", "要", "补卡"
    ]


def test_jieba_tokenizer_persist_and_load_give_the_same_tokens(
    jieba_tokenizer: JiebaTokenizer, tmp_path: Path
) -> None:
    jieba_tokenizer.persist(tmp_path)

    loaded = JiebaTokenizer.load(jieba_tokenizer.options, tmp_path)

    for text in SENTENCES:
        assert tokens(loaded, text) == tokens(jieba_tokenizer, text)


def test_jieba_tokenizer_before_training_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="before training"):
        tokens(JiebaTokenizer(), "你好")


def test_jieba_tokenizer_missing_user_dictionary_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidProjectError) as caught:
        user_dictionary_files("data/missing.txt", tmp_path)

    assert "'data/missing.txt' does not exist" in caught.value.problems[0].message


def test_jieba_tokenizer_dictionary_folder_means_every_dictionary_file_in_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "dicts"
    folder.mkdir()
    for name in ("b.txt", "a.dict", "c.dic", "notes.md"):
        (folder / name).write_text("年假 1\n", encoding="utf-8")

    files = user_dictionary_files("dicts", tmp_path)

    assert [f.name for f in files] == ["a.dict", "b.txt", "c.dic"]
    assert user_dictionary_files(None, tmp_path) == []
    assert user_dictionary_files([str(folder / "b.txt")], tmp_path) == [folder / "b.txt"]


def test_whitespace_tokenizer_splits_on_spaces_and_strips_edge_punctuation() -> None:
    text = "Hello, world!  (foo) -- bar-baz 年假。"

    found = tokens(WhitespaceTokenizer(), text)

    assert found == [
        Token("Hello", 0, 5),
        Token("world", 7, 12),
        Token("foo", 16, 19),
        Token("bar-baz", 24, 31),
        Token("年假", 32, 34),
    ]
    for token in found:
        assert text[token.start : token.end] == token.text


def test_whitespace_tokenizer_empty_and_blank_text_have_no_tokens() -> None:
    assert tokens(WhitespaceTokenizer(), "") == []
    assert tokens(WhitespaceTokenizer(), " \t\r\n ") == []
    assert tokens(WhitespaceTokenizer(), "!!! ...") == []
