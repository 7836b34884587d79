"""Resolving config.yml's pipeline: Rasa names, defaults, and every problem with its line."""

from __future__ import annotations

import pytest

from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.pipeline_config import (
    DEFAULT_CHINESE_PIPELINE,
    DEFAULT_PIPELINE,
    ResolvedPipeline,
    resolve_pipeline,
    resolve_project_pipeline,
)
from hrbot.shared.config import parse_config
from hrbot.shared.errors import InvalidProjectError, UnknownComponentError


def resolve(text: str) -> ResolvedPipeline:
    return resolve_project_pipeline(parse_config(text, "config.yml"), builtin_registry())


def test_pipeline_config_unknown_component_lists_known_names_and_its_line() -> None:
    text = (
        "language: zh\npipeline:\n  - name: JiebaTokenizer\n  - name: FancyClassifier\n"
        "  - name: NgramFeaturizer\n"
    )

    with pytest.raises(UnknownComponentError) as caught:
        resolve(text)

    (problem,) = caught.value.problems
    assert problem.message == "unknown component 'FancyClassifier'"
    assert str(problem.location) == "config.yml:4"
    assert problem.source_line == "  - name: FancyClassifier"
    for known in ("JiebaTokenizer", "LinearIntentClassifier", "DIETClassifier",
                  "CountVectorsFeaturizer"):
        assert known in str(caught.value)
    assert "config.yml:4" in str(caught.value)


def test_pipeline_config_without_tokenizer_is_a_problem() -> None:
    text = "pipeline:\n  - name: RegexFeaturizer\n  - name: KeywordIntentClassifier\n"

    with pytest.raises(InvalidProjectError) as caught:
        resolve(text)

    assert any("no tokenizer" in p.message for p in caught.value.problems)
    assert not isinstance(caught.value, UnknownComponentError)


def test_pipeline_config_without_tokenizer_names_the_component_needing_tokens() -> None:
    text = "pipeline:\n  - name: CountVectorsFeaturizer\n  - name: DIETClassifier\n"

    with pytest.raises(InvalidProjectError) as caught:
        resolve(text)

    messages = [(p.message, p.location.line if p.location else None)
                for p in caught.value.problems]
    assert ("the pipeline has no tokenizer, but CountVectorsFeaturizer needs tokens", 2) in messages


def test_pipeline_config_classifier_without_featurizer_before_it_is_a_problem() -> None:
    text = (
        "pipeline:\n  - name: JiebaTokenizer\n  - name: LinearIntentClassifier\n"
        "  - name: NgramFeaturizer\n"
    )

    with pytest.raises(InvalidProjectError) as caught:
        resolve(text)

    (problem,) = caught.value.problems
    assert problem.message == "LinearIntentClassifier needs features from an earlier component"
    assert str(problem.location) == "config.yml:3"
    assert problem.hint is not None and "featurizer" in problem.hint


def test_pipeline_config_fallback_before_any_classifier_is_a_problem() -> None:
    text = (
        "pipeline:\n  - name: JiebaTokenizer\n  - name: FallbackClassifier\n"
        "  - name: NgramFeaturizer\n  - name: LinearIntentClassifier\n"
    )

    with pytest.raises(InvalidProjectError) as caught:
        resolve(text)

    assert [p.message for p in caught.value.problems] == [
        "FallbackClassifier needs intent from an earlier component"
    ]


RASA_CONFIG = """\
recipe: default.v1
language: zh
pipeline:
  - name: JiebaTokenizer
    dictionary_path: data/jieba_userdict.txt
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: RulePolicy
assistant_id: 20230101-rasa-bot
"""


def test_pipeline_config_a_rasa_config_resolves_with_notices_and_no_problems() -> None:
    resolved = resolve(RASA_CONFIG)

    assert [step.spec.name for step in resolved.steps] == [
        "JiebaTokenizer", "RegexFeaturizer", "NgramFeaturizer", "NgramFeaturizer",
        "LinearIntentClassifier", "CRFEntityExtractor", "EntitySynonymMapper",
        "ResponseSelector", "FallbackClassifier",
    ]
    assert [step.declared_as for step in resolved.steps][4:6] == ["DIETClassifier"] * 2
    assert [step.line for step in resolved.steps] == [4, 6, 8, 9, 13, 13, 16, 17, 20]
    assert resolved.steps[0].options == {"dictionary_path": "data/jieba_userdict.txt"}
    assert resolved.steps[3].options == {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}
    assert resolved.steps[4].options == {}
    assert resolved.steps[5].options == {}
    assert resolved.steps[8].options == {"threshold": 0.3, "ambiguity_threshold": 0.1}
    notices = "\n".join(resolved.notices)
    assert "LexicalSyntacticFeaturizer" in notices
    assert "DIETClassifier: hrbot uses LinearIntentClassifier" in notices
    assert "DIETClassifier: options not used by hrbot: constrain_similarities, epochs" in notices
    assert "ResponseSelector: options not used by hrbot: constrain_similarities, epochs" in notices


def test_pipeline_config_alias_passes_on_only_options_its_targets_have() -> None:
    resolved = resolve_pipeline(
        [{"name": "JiebaTokenizer"}, {"name": "CountVectorsFeaturizer", "OOV_token": "oov"},
         {"name": "DIETClassifier", "epochs": 5, "random_seed": 7, "BILOU_flag": False}],
        builtin_registry(),
    )

    assert [(step.spec.name, step.options) for step in resolved.steps[1:]] == [
        ("NgramFeaturizer", {}),
        ("LinearIntentClassifier", {"random_seed": 7}),
        ("CRFEntityExtractor", {}),
    ]
    assert "CountVectorsFeaturizer: options not used by hrbot: OOV_token" in resolved.notices
    assert "DIETClassifier: options not used by hrbot: BILOU_flag, epochs" in resolved.notices


def test_pipeline_config_resolved_pipeline_builds_its_components() -> None:
    from hrbot.nlu.pipeline import NLUPipeline

    pipeline = NLUPipeline.from_config(resolve(RASA_CONFIG))

    assert [named.component.name for named in pipeline.components][:3] == [
        "JiebaTokenizer", "RegexFeaturizer", "NgramFeaturizer"
    ]


def test_pipeline_config_unknown_option_of_an_hrbot_component_is_a_problem() -> None:
    text = (
        "pipeline:\n  - name: JiebaTokenizer\n  - name: NgramFeaturizer\n"
        "    analyser: char\n  - name: LinearIntentClassifier\n    epochs: 3\n"
    )

    with pytest.raises(InvalidProjectError) as caught:
        resolve(text)

    problems = caught.value.problems
    assert [(p.message, p.location.line if p.location else None) for p in problems] == [
        ("NgramFeaturizer has no option(s) analyser", 3),
        ("LinearIntentClassifier has no option(s) epochs", 5),
    ]
    assert problems[0].hint is not None and "analyzer" in problems[0].hint


def test_pipeline_config_every_problem_is_reported_at_once() -> None:
    text = (
        "pipeline:\n  - name: Nope\n  - name: NgramFeaturizer\n    bogus: 1\n"
        "  - name: LinearIntentClassifier\n"
    )

    with pytest.raises(UnknownComponentError) as caught:
        resolve(text)

    assert len(caught.value.problems) == 3  # unknown name, unknown option, no tokenizer


def test_pipeline_config_default_chinese_pipeline_when_config_has_none() -> None:
    resolved = resolve("language: zh\n")

    assert resolved.to_config() == [dict(item) for item in DEFAULT_CHINESE_PIPELINE]
    assert resolved.notices[0] == (
        "config.yml has no pipeline: using hrbot's default for language 'zh'"
    )


def test_pipeline_config_default_pipeline_for_other_languages() -> None:
    resolved = resolve("language: en\n")

    assert resolved.to_config() == [dict(item) for item in DEFAULT_PIPELINE]
    assert resolved.steps[0].spec.name == "WhitespaceTokenizer"


def test_pipeline_config_empty_config_is_chinese() -> None:
    resolved = resolve("")

    assert resolved.steps[0].spec.name == "JiebaTokenizer"


def test_pipeline_config_resolve_pipeline_without_lines_has_no_line_numbers() -> None:
    with pytest.raises(UnknownComponentError) as caught:
        resolve_pipeline([{"name": "Nope"}, {"name": "JiebaTokenizer"}], builtin_registry())

    assert str(caught.value.problems[0].location) == "config.yml"


def test_pipeline_config_config_errors_have_lines() -> None:
    with pytest.raises(InvalidProjectError) as caught:
        parse_config("language: zh\npipline:\n  - name: X\npipeline:\n  - JiebaTokenizer\n")

    assert [(p.message, p.location.line if p.location else None)
            for p in caught.value.problems] == [
        ("unknown key 'pipline' in config", 2),
        ("each pipeline entry needs a 'name'", 5),
    ]


def test_diet_without_entity_recognition_adds_no_entity_tagger() -> None:
    resolved = resolve_pipeline(
        [{"name": "WhitespaceTokenizer"}, {"name": "CountVectorsFeaturizer"},
         {"name": "DIETClassifier", "entity_recognition": False, "epochs": 5}],
        builtin_registry(),
    )
    names = [step.spec.name for step in resolved.steps]
    assert names == ["WhitespaceTokenizer", "NgramFeaturizer", "LinearIntentClassifier"]
    assert not any("entity_recognition" in notice for notice in resolved.notices)


def test_diet_without_intent_classification_adds_only_the_entity_tagger() -> None:
    resolved = resolve_pipeline(
        [{"name": "WhitespaceTokenizer"}, {"name": "CountVectorsFeaturizer"},
         {"name": "DIETClassifier", "intent_classification": False}],
        builtin_registry(),
    )
    assert [step.spec.name for step in resolved.steps][-1] == "CRFEntityExtractor"
    assert "LinearIntentClassifier" not in [step.spec.name for step in resolved.steps]
