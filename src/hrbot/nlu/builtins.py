"""Every built-in NLU component, registered in one place."""

from __future__ import annotations

from hrbot.nlu.registry import (
    ENTITY_EXTRACTOR,
    FEATURIZER,
    INTENT_CLASSIFIER,
    PROCESSOR,
    TOKENIZER,
    Alias,
    AliasStep,
    ComponentRegistry,
    ComponentSpec,
    make_registry,
)

_COMPONENTS = "hrbot.nlu.components"

BUILTIN_SPECS = (
    ComponentSpec("JiebaTokenizer", f"{_COMPONENTS}.tokenizers:JiebaTokenizer", TOKENIZER,
                  rasa_name=True, description="Chinese word segmentation (jieba) with user dictionaries"),
    ComponentSpec("WhitespaceTokenizer", f"{_COMPONENTS}.tokenizers:WhitespaceTokenizer",
                  TOKENIZER, rasa_name=True, description="splits on white space"),
    ComponentSpec("SpacyTokenizer", f"{_COMPONENTS}.spacy_components:SpacyTokenizer", TOKENIZER,
                  rasa_name=True, description="tokens from a spaCy pipeline (needs hrbot[spacy])"),
    ComponentSpec("NgramFeaturizer", f"{_COMPONENTS}.featurizers:NgramFeaturizer", FEATURIZER,
                  requires=("tokens",),
                  description="tf-idf over word or character n-grams"),
    ComponentSpec("RegexFeaturizer", f"{_COMPONENTS}.featurizers:RegexFeaturizer", FEATURIZER,
                  rasa_name=True, description="regex and lookup-table matches"),
    ComponentSpec("SpacyFeaturizer", f"{_COMPONENTS}.spacy_components:SpacyFeaturizer",
                  FEATURIZER, requires=("tokens",),
                  rasa_name=True, description="sentence vectors from a spaCy pipeline (needs hrbot[spacy])"),
    ComponentSpec("EntityFeaturizer", f"{_COMPONENTS}.entity_featurizer:EntityFeaturizer",
                  FEATURIZER, description="entity types and delexicalised n-grams for intents"),
    ComponentSpec("LinearIntentClassifier",
                  f"{_COMPONENTS}.intent_classifier:LinearIntentClassifier", INTENT_CLASSIFIER,
                  requires=("features",),
                  description="linear SVM or logistic regression, calibrated confidences"),
    ComponentSpec("KeywordIntentClassifier",
                  f"{_COMPONENTS}.keyword_classifier:KeywordIntentClassifier", INTENT_CLASSIFIER,
                  rasa_name=True, description="an intent when one of its examples occurs in the text"),
    ComponentSpec("FallbackClassifier", f"{_COMPONENTS}.intent_classifier:FallbackClassifier",
                  PROCESSOR, requires=("intent",),
                  rasa_name=True, description="nlu_fallback when unsure"),
    ComponentSpec("CRFEntityExtractor", f"{_COMPONENTS}.crf_extractor:CRFEntityExtractor",
                  ENTITY_EXTRACTOR, requires=("tokens",),
                  rasa_name=True, description="character-level CRF tagger"),
    ComponentSpec("RegexEntityExtractor",
                  f"{_COMPONENTS}.entity_extractors:RegexEntityExtractor", ENTITY_EXTRACTOR,
                  rasa_name=True, description="entities from regexes and lookup tables"),
    ComponentSpec("EntitySynonymMapper",
                  f"{_COMPONENTS}.entity_extractors:EntitySynonymMapper", PROCESSOR,
                  rasa_name=True, description="canonical values for synonyms"),
    ComponentSpec("ChineseValueExtractor",
                  f"{_COMPONENTS}.entity_extractors:ChineseValueExtractor", ENTITY_EXTRACTOR,
                  description="Chinese dates, months, durations, amounts; normalised values"),
    ComponentSpec("ResponseSelector", f"{_COMPONENTS}.response_selector:ResponseSelector",
                  INTENT_CLASSIFIER, requires=("features",),
                  rasa_name=True, description="picks the response of a retrieval intent (chitchat/ask_name)"),
)

_SHARED_CLASSIFIER_OPTIONS = ("random_seed",)

BUILTIN_ALIASES = (
    Alias("CountVectorsFeaturizer",
          (AliasStep("NgramFeaturizer",
                     keep_options=("analyzer", "min_ngram", "max_ngram", "lowercase", "min_df",
                                   "max_features", "use_idf", "sublinear_tf")),),
          None),
    Alias("LexicalSyntacticFeaturizer", (),
          "LexicalSyntacticFeaturizer: hrbot's CRFEntityExtractor computes its own lexical "
          "features; this step is not needed and is skipped"),
    Alias("DIETClassifier",
          (AliasStep("LinearIntentClassifier", keep_options=_SHARED_CLASSIFIER_OPTIONS,
                     switch="intent_classification"),
           AliasStep("CRFEntityExtractor", switch="entity_recognition")),
          "DIETClassifier: hrbot uses LinearIntentClassifier for intents and "
          "CRFEntityExtractor for entities instead (faster, no TensorFlow)"),
    Alias("SklearnIntentClassifier",
          (AliasStep("LinearIntentClassifier", keep_options=("C",)),), None),
    Alias("LogisticRegressionClassifier",
          (AliasStep("LinearIntentClassifier", keep_options=("random_seed",),
                     fixed_options={"model": "logreg"}),), None),
    Alias("MitieIntentClassifier", (AliasStep("LinearIntentClassifier"),),
          "MitieIntentClassifier: hrbot uses LinearIntentClassifier instead"),
    Alias("MitieEntityExtractor", (AliasStep("CRFEntityExtractor"),),
          "MitieEntityExtractor: hrbot uses CRFEntityExtractor instead"),
    Alias("MitieNLP", (), "MitieNLP: not needed by hrbot; skipped"),
    Alias("MitieTokenizer", (AliasStep("WhitespaceTokenizer"),),
          "MitieTokenizer: hrbot uses WhitespaceTokenizer instead"),
    Alias("MitieFeaturizer", (), "MitieFeaturizer: not needed by hrbot; skipped"),
    Alias("DucklingEntityExtractor",
          (AliasStep("ChineseValueExtractor", keep_options=("dimensions",)),),
          "DucklingEntityExtractor: hrbot resolves Chinese dates, durations and amounts "
          "itself (ChineseValueExtractor); no Duckling server is needed"),
    Alias("SpacyNLP", (),
          "SpacyNLP: the spaCy model named here is loaded by SpacyTokenizer/SpacyFeaturizer"),
    Alias("SpacyEntityExtractor", (AliasStep("CRFEntityExtractor"),),
          "SpacyEntityExtractor: hrbot uses CRFEntityExtractor trained on your annotations"),
    Alias("ConveRTFeaturizer", (),
          "ConveRTFeaturizer: not available offline in hrbot; skipped"),
    Alias("LanguageModelFeaturizer", (),
          "LanguageModelFeaturizer: hrbot does not download language models; skipped"),
)


def builtin_registry() -> ComponentRegistry:
    return make_registry(BUILTIN_SPECS, BUILTIN_ALIASES)
