"""CRFEntityExtractor: a character-level CRF, so entities survive word segmentation that
cuts across them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.crf_extractor import (
    CRFEntityExtractor,
    bio_tags,
    char_class,
    char_features,
    decode_spans,
)
from hrbot.nlu.components.jieba_dictionary import JiebaDictionary
from hrbot.nlu.components.tokenizers import JiebaTokenizer
from hrbot.nlu.doc import NLUDoc
from hrbot.shared.nlu.training_data import EntityAnnotation, TrainingData, TrainingExample
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)

LEAVE_DATA = """\
nlu:
- intent: request_leave
  examples: |
    - 请[3天](duration)[年假](leave_type)
    - 我要请[5天](duration)[年假](leave_type)
    - 帮我请[2天](duration)[病假](leave_type)
    - 想休[4天](duration)[事假](leave_type)
    - 请[1天](duration)[调休](leave_type)
    - 我想请[6天](duration)[年假](leave_type)
    - 申请[3天](duration)[病假](leave_type)
    - 请[7天](duration)[事假](leave_type)
    - [年假](leave_type)请[2天](duration)
    - 我请[10天](duration)[婚假](leave_type)
- intent: greet
  examples: |
    - 你好
    - 早上好
    - 下午好
"""


def example(text: str, *spans: tuple[str, int, int], role: str | None = None) -> TrainingExample:
    return TrainingExample(
        text, "x", tuple(EntityAnnotation(e, s, t, text[s:t], role) for e, s, t in spans)
    )


def test_crf_bio_tags_mark_begin_and_inside_per_character() -> None:
    tags = bio_tags(example("请3天年假我", ("duration", 1, 3), ("leave_type", 3, 5),
                            ("person", 5, 6)))

    assert tags == ["O", "B-duration", "I-duration", "B-leave_type", "I-leave_type", "B-person"]


def test_crf_bio_tags_long_entity_has_inside_tags() -> None:
    assert bio_tags(example("带薪年休假", ("leave_type", 0, 5))) == [
        "B-leave_type", "I-leave_type", "I-leave_type", "I-leave_type", "I-leave_type"
    ]


def test_crf_bio_tags_include_the_role() -> None:
    assert bio_tags(example("北京", ("city", 0, 2), role="from")) == [
        "B-city@from", "I-city@from"
    ]


def test_crf_bio_tags_overlapping_annotations_keep_the_first_longest() -> None:
    tags = bio_tags(example("带薪年假", ("leave_type", 0, 4), ("leave_kind", 2, 4)))

    assert tags == ["B-leave_type", "I-leave_type", "I-leave_type", "I-leave_type"]


def test_crf_bio_tags_separate_adjacent_entities_of_one_type() -> None:
    tags = bio_tags(example("张三李四", ("person", 0, 2), ("person", 2, 4)))

    assert decode_spans(tags) == [(0, 2, "person"), (2, 4, "person")]


def test_crf_decode_spans_reads_valid_sequences() -> None:
    tags = ["O", "B-duration", "L-duration", "B-leave_type", "I-leave_type", "L-leave_type",
            "U-person", "O"]

    assert decode_spans(tags) == [(1, 3, "duration"), (3, 6, "leave_type"), (6, 7, "person")]


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["I-a", "L-a", "O"], [(0, 2, "a")]),  # starts inside
        (["B-a", "I-a"], [(0, 2, "a")]),  # never ends
        (["B-a", "O", "L-a"], [(0, 1, "a"), (2, 3, "a")]),  # interrupted
        (["B-a", "L-b"], [(0, 1, "a"), (1, 2, "b")]),  # label changes
        (["B-a", "B-a", "L-a"], [(0, 1, "a"), (1, 3, "a")]),  # begins twice
        (["L-a"], [(0, 1, "a")]),  # lone last
        (["O", "O"], []),
        ([], []),
        (["U-city@from"], [(0, 1, "city@from")]),
    ],
)
def test_crf_decode_spans_is_tolerant_of_invalid_sequences(
    tags: list[str], spans: list[tuple[int, int, str]]
) -> None:
    assert decode_spans(tags) == spans


def test_crf_decode_spans_inverts_bio_tags() -> None:
    sample = example("我想明天请3天带薪年假", ("date", 2, 4), ("duration", 5, 7),
                     ("leave_type", 7, 11))

    assert decode_spans(bio_tags(sample)) == [
        (2, 4, "date"), (5, 7, "duration"), (7, 11, "leave_type")
    ]


def test_crf_char_class_knows_digits_chinese_numerals_latin_and_punctuation() -> None:
    assert [char_class(c) for c in "3三aA 。年😂"] == [
        "digit", "cnum", "latin", "latin", "space", "punct", "han", "punct"
    ]


def test_crf_char_features_has_one_feature_list_per_character() -> None:
    doc = NLUDoc("请3天")

    features = char_features(doc)

    assert len(features) == 3
    assert "c=3" in features[1]
    assert "cls=digit" in features[1]


@pytest.fixture(scope="module")
def default_tokenizer(default_jieba_dictionary: JiebaDictionary) -> JiebaTokenizer:
    """jieba without a user dictionary, which cuts 3天年假 into 3 / 天年 / 假."""
    return JiebaTokenizer({}, default_jieba_dictionary)


@pytest.fixture(scope="module")
def leave_crf(default_tokenizer: JiebaTokenizer, tmp_path_factory: pytest.TempPathFactory,
              cache_dir: Path) -> CRFEntityExtractor:
    from hrbot.shared.nlu.rasa_yaml import training_data_from_document
    from hrbot.shared.yaml_reader import parse_yaml_text

    data = training_data_from_document(parse_yaml_text(LEAVE_DATA, "leave.yml"))
    docs = [NLUDoc(e.text) for e in data.examples]
    for doc in docs:
        default_tokenizer.process(doc, CONTEXT)
    crf = CRFEntityExtractor()
    crf.train(data, docs, TrainContext(REFERENCE_TIME, lambda m: None,
                                       tmp_path_factory.mktemp("crf"), cache_dir))
    return crf


def extract(crf: CRFEntityExtractor, tokenizer: JiebaTokenizer, text: str) -> list[Any]:
    doc = NLUDoc(text)
    tokenizer.process(doc, CONTEXT)
    crf.process(doc, CONTEXT)
    return doc.entities


def test_crf_entities_survive_segmentation_that_cuts_across_them(
    leave_crf: CRFEntityExtractor, default_tokenizer: JiebaTokenizer, isolated_jieba: Any
) -> None:
    text = "我要请3天年假"
    doc = NLUDoc(text)
    default_tokenizer.process(doc, CONTEXT)
    words = [t.text for t in doc.tokens]
    # the premise: jieba's words disagree with the entity boundaries
    assert isolated_jieba.lcut(text) == words
    assert "天年" in words
    assert "3天" not in words and "年假" not in words

    found = extract(leave_crf, default_tokenizer, text)

    assert [(e.entity, text[e.start : e.end], e.value) for e in found] == [
        ("duration", "3天", "3天"), ("leave_type", "年假", "年假")
    ]
    assert all(e.extractor == "CRFEntityExtractor" for e in found)
    assert all(e.confidence is not None and 0.5 < e.confidence <= 1.0 for e in found)


def test_crf_extracts_unseen_combinations(
    leave_crf: CRFEntityExtractor, default_tokenizer: JiebaTokenizer
) -> None:
    text = "帮我请8天病假"

    found = extract(leave_crf, default_tokenizer, text)

    assert [(e.entity, text[e.start : e.end]) for e in found] == [
        ("duration", "8天"), ("leave_type", "病假")
    ]


def test_crf_offsets_stay_right_when_lowercasing_changes_the_length(
    leave_crf: CRFEntityExtractor, default_tokenizer: JiebaTokenizer
) -> None:
    text = "İİ请8天病假呀呀"
    assert len(text.lower()) != len(text)

    found = extract(leave_crf, default_tokenizer, text)

    assert [(e.entity, text[e.start : e.end]) for e in found] == [
        ("duration", "8天"), ("leave_type", "病假")
    ]


def test_crf_trains_on_examples_whose_lower_case_is_longer(
    default_tokenizer: JiebaTokenizer, train_context: TrainContext
) -> None:
    examples = (example("İstanbul请3天年假", ("duration", 9, 11), ("leave_type", 11, 13)),)
    docs = [NLUDoc(examples[0].text)]
    default_tokenizer.process(docs[0], CONTEXT)
    crf = CRFEntityExtractor()

    crf.train(TrainingData(examples), docs, train_context)

    assert [(e.entity, e.start, e.end) for e in extract(crf, default_tokenizer, examples[0].text)
            ] == [("duration", 9, 11), ("leave_type", 11, 13)]


def test_crf_message_without_entities_gives_none(
    leave_crf: CRFEntityExtractor, default_tokenizer: JiebaTokenizer
) -> None:
    assert extract(leave_crf, default_tokenizer, "你好") == []
    assert extract(leave_crf, default_tokenizer, "") == []


def test_crf_persist_and_load_give_the_same_entities(
    leave_crf: CRFEntityExtractor, default_tokenizer: JiebaTokenizer, tmp_path: Path
) -> None:
    leave_crf.persist(tmp_path)

    loaded = CRFEntityExtractor.load(leave_crf.options, tmp_path)

    for text in ["我要请3天年假", "帮我请8天病假", "你好"]:
        assert extract(loaded, default_tokenizer, text) == extract(
            leave_crf, default_tokenizer, text)


def test_crf_without_annotated_entities_learns_nothing_and_finds_nothing(
    train_context: TrainContext, tmp_path: Path
) -> None:
    crf = CRFEntityExtractor()
    data = TrainingData((TrainingExample("你好", "greet"),))

    crf.train(data, [NLUDoc("你好")], train_context)
    crf.persist(tmp_path)
    loaded = CRFEntityExtractor.load({}, tmp_path)

    doc = NLUDoc("请3天年假")
    loaded.process(doc, CONTEXT)
    assert doc.entities == []
    assert list(tmp_path.iterdir()) == []


def test_crf_iterations_follow_the_data_size_unless_configured() -> None:
    from hrbot.nlu.components.crf_extractor import iterations_for

    assert iterations_for(300, None) == 100
    assert iterations_for(4000, None) == 40
    assert iterations_for(4000, 75) == 75
