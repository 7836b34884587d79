"""NgramFeaturizer (tf-idf over n-grams) and RegexFeaturizer (pattern matches)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hrbot.nlu.component import ParseContext, TrainContext
from hrbot.nlu.components.featurizers import NgramFeaturizer, RegexFeaturizer
from hrbot.nlu.components.patterns import lookup_pattern
from hrbot.nlu.components.tokenizers import WhitespaceTokenizer
from hrbot.nlu.doc import NLUDoc, PatternMatch
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import LookupTable, RegexPattern, TrainingData
from hrbot_test_support import REFERENCE_TIME

CONTEXT = ParseContext(REFERENCE_TIME)
TEXTS = ["请三天年假", "查一下年假余额", "上个月工资多少", "工资条 发我", "leave balance please"]


def doc_of(text: str) -> NLUDoc:
    doc = NLUDoc(text)
    WhitespaceTokenizer().process(doc, CONTEXT)
    return doc


def trained(options: dict[str, Any], context: TrainContext,
            texts: list[str] = TEXTS) -> NgramFeaturizer:
    featurizer = NgramFeaturizer(options)
    featurizer.train(TrainingData(), [doc_of(t) for t in texts], context)
    return featurizer


def features_of(featurizer: NgramFeaturizer, text: str) -> dict[int, float]:
    doc = doc_of(text)
    featurizer.process(doc, CONTEXT)
    features = doc.features[featurizer.key]
    return dict(zip(features.indices.tolist(), features.values.tolist(), strict=True))


def test_ngram_featurizer_char_grams_cover_every_length() -> None:
    featurizer = NgramFeaturizer({"analyzer": "char", "min_ngram": 1, "max_ngram": 2})

    assert featurizer.grams(NLUDoc("年假A")) == ["年", "假", "a", "年假", "假a"]


def test_ngram_featurizer_char_grams_collapse_white_space() -> None:
    featurizer = NgramFeaturizer({"analyzer": "char", "min_ngram": 2, "max_ngram": 2})

    assert featurizer.grams(NLUDoc("  年 \t 假 ")) == ["年 ", " 假"]


def test_ngram_featurizer_word_grams_join_tokens_with_spaces() -> None:
    featurizer = NgramFeaturizer({"analyzer": "word", "min_ngram": 1, "max_ngram": 2})

    assert featurizer.grams(doc_of("Leave balance please")) == [
        "leave", "balance", "please", "leave balance", "balance please"
    ]


def test_ngram_featurizer_char_wb_grams_pad_each_word_with_spaces() -> None:
    featurizer = NgramFeaturizer({"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 3})

    assert featurizer.grams(NLUDoc("ab C")) == [
        " a", "ab", "b ", " ab", "ab ", " c", "c ", " c "
    ]


def test_ngram_featurizer_lowercase_option_keeps_case_when_off() -> None:
    featurizer = NgramFeaturizer({"analyzer": "char", "max_ngram": 1, "lowercase": False})

    assert featurizer.grams(NLUDoc("Ab")) == ["A", "b"]


@pytest.mark.parametrize(
    "options",
    [
        {"analyzer": "chars"},
        {"analyzer": "word", "min_ngram": 0},
        {"analyzer": "word", "min_ngram": 3, "max_ngram": 2},
    ],
)
def test_ngram_featurizer_bad_analyzer_or_range_is_an_invalid_project_error(
    options: dict[str, Any],
) -> None:
    with pytest.raises(InvalidProjectError) as caught:
        NgramFeaturizer(options)

    assert "NgramFeaturizer" in caught.value.problems[0].message
    assert "char_wb" in (caught.value.problems[0].hint or "")


@pytest.mark.parametrize("analyzer", ["char", "word", "char_wb"])
def test_ngram_featurizer_vectors_are_l2_normalised(
    analyzer: str, train_context: TrainContext
) -> None:
    featurizer = trained({"analyzer": analyzer, "min_ngram": 1, "max_ngram": 3}, train_context)

    for text in TEXTS:
        values = np.array(list(features_of(featurizer, text).values()))
        assert values.size > 0
        assert float(np.sqrt((values**2).sum())) == pytest.approx(1.0, abs=1e-5)


def test_ngram_featurizer_unknown_ngrams_are_ignored(train_context: TrainContext) -> None:
    featurizer = trained({"analyzer": "char", "min_ngram": 1, "max_ngram": 2}, train_context)

    assert features_of(featurizer, "😂😂xyz") == {}
    with_unknown = features_of(featurizer, "年假😂")
    assert with_unknown.keys() == features_of(featurizer, "年假").keys()


def test_ngram_featurizer_rare_grams_weigh_more_than_common_ones(
    train_context: TrainContext,
) -> None:
    featurizer = trained({"analyzer": "char", "min_ngram": 1, "max_ngram": 1}, train_context)
    vocabulary = featurizer.vocabulary

    weights = features_of(featurizer, "年请")

    # 年 occurs in two training texts, 请 in one
    assert weights[vocabulary.trie["请"]] > weights[vocabulary.trie["年"]]


def test_ngram_featurizer_min_df_and_max_features_limit_the_vocabulary(
    train_context: TrainContext,
) -> None:
    everything = trained({"analyzer": "char", "max_ngram": 1}, train_context)
    frequent = trained({"analyzer": "char", "max_ngram": 1, "min_df": 2}, train_context)
    capped = trained({"analyzer": "char", "max_ngram": 1, "max_features": 3}, train_context)

    assert len(frequent.vocabulary) < len(everything.vocabulary)
    for gram in frequent.vocabulary:
        assert sum(gram in text.lower() for text in TEXTS) >= 2
    assert "年" in frequent.vocabulary
    assert "余" not in frequent.vocabulary
    assert len(capped.vocabulary) == 3


def test_ngram_featurizer_persist_and_load_give_identical_features(
    train_context: TrainContext, tmp_path: Path
) -> None:
    featurizer = trained({"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3}, train_context)
    featurizer.persist(tmp_path)

    loaded = NgramFeaturizer.load(featurizer.options, tmp_path)

    assert loaded.key == featurizer.key
    for text in [*TEXTS, "新的句子 unseen"]:
        assert features_of(loaded, text) == features_of(featurizer, text)


def test_ngram_featurizer_key_names_analyzer_and_range() -> None:
    assert NgramFeaturizer({"analyzer": "char", "min_ngram": 1, "max_ngram": 4}).key == (
        "NgramFeaturizer:char:1-4"
    )


def test_ngram_featurizer_before_training_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        NgramFeaturizer().process(NLUDoc("x"), CONTEXT)


PATTERN_DATA = TrainingData(
    regexes=(RegexPattern("employee_id", r"E\d{5}"),),
    lookups=(LookupTable("leave_type", ("年假", "带薪年假", "sick leave")),),
)


def regex_featurizer(context: TrainContext, **options: Any) -> RegexFeaturizer:
    featurizer = RegexFeaturizer(options)
    featurizer.train(PATTERN_DATA, [], context)
    return featurizer


def test_lookup_pattern_prefers_the_longest_element() -> None:
    import re

    pattern = re.compile(lookup_pattern(["年假", "带薪年假", "年"]))

    assert [m.group() for m in pattern.finditer("我的带薪年假和年假")] == ["带薪年假", "年假"]


def test_lookup_pattern_uses_word_boundaries_for_ascii_words_only() -> None:
    import re

    pattern = re.compile(lookup_pattern(["sick leave", "年假"]))

    assert pattern.search("homesick leave") is None
    assert pattern.search("sick leaves") is None
    assert pattern.search("sick leave_2") is None
    assert pattern.search("my sick leave, please").group() == "sick leave"
    assert pattern.search("请年假吗").group() == "年假"


def test_lookup_pattern_ascii_words_match_next_to_chinese_characters() -> None:
    import re

    pattern = re.compile(lookup_pattern(["annual leave", "HR助手"]))

    assert pattern.search("我的annual leave还剩几天").group() == "annual leave"
    assert pattern.search("请HR助手帮忙").group() == "HR助手"
    assert pattern.search("CHR助手") is None


def test_lookup_pattern_orders_elements_of_equal_length_stably() -> None:
    import re

    elements = ["事假", "病假", "年假", "调休", "倒休", "补休", "带薪年假"]

    expected = "|".join(re.escape(e) for e in sorted(elements, key=lambda e: (-len(e), e)))
    assert lookup_pattern(elements) == expected
    assert lookup_pattern(list(reversed(elements))) == expected


def test_lookup_pattern_of_nothing_matches_nothing() -> None:
    import re

    assert re.search(lookup_pattern(["", "  "]), "anything x") is None


def test_regex_featurizer_marks_matching_patterns_and_their_spans(
    train_context: TrainContext,
) -> None:
    featurizer = regex_featurizer(train_context)
    doc = NLUDoc("E12345 请带薪年假")

    featurizer.process(doc, CONTEXT)

    assert doc.pattern_matches == [
        PatternMatch("employee_id", 0, 6), PatternMatch("leave_type", 8, 12)
    ]
    features = doc.features[RegexFeaturizer.key]
    assert features.indices.tolist() == [0, 1]
    assert features.values.tolist() == [1.0, 1.0]
    assert features.size == 2


def test_regex_featurizer_no_match_gives_empty_features(train_context: TrainContext) -> None:
    featurizer = regex_featurizer(train_context)
    doc = NLUDoc("你好")

    featurizer.process(doc, CONTEXT)

    assert doc.pattern_matches == []
    assert doc.features[RegexFeaturizer.key].indices.tolist() == []


def test_regex_featurizer_case_sensitivity_option(train_context: TrainContext) -> None:
    insensitive, sensitive = NLUDoc("SICK LEAVE"), NLUDoc("SICK LEAVE")

    regex_featurizer(train_context).process(insensitive, CONTEXT)
    regex_featurizer(train_context, case_sensitive=True).process(sensitive, CONTEXT)

    assert [m.name for m in insensitive.pattern_matches] == ["leave_type"]
    assert sensitive.pattern_matches == []


def test_regex_featurizer_options_switch_off_regexes_or_lookups(
    train_context: TrainContext,
) -> None:
    no_regex = regex_featurizer(train_context, use_regexes=False)
    no_lookup = regex_featurizer(train_context, use_lookup_tables=False)

    assert [name for name, _ in no_regex.patterns.patterns] == ["leave_type"]
    assert [name for name, _ in no_lookup.patterns.patterns] == ["employee_id"]


def test_regex_featurizer_persist_and_load_keep_the_patterns(
    train_context: TrainContext, tmp_path: Path
) -> None:
    featurizer = regex_featurizer(train_context)
    featurizer.persist(tmp_path)

    loaded = RegexFeaturizer.load(featurizer.options, tmp_path)
    doc_a, doc_b = NLUDoc("E12345 带薪年假"), NLUDoc("E12345 带薪年假")
    featurizer.process(doc_a, CONTEXT)
    loaded.process(doc_b, CONTEXT)

    assert loaded.patterns.patterns == featurizer.patterns.patterns
    assert doc_b.pattern_matches == doc_a.pattern_matches
