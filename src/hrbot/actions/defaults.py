"""hrbot's default texts: what a built-in action says when the domain has no response of its
own for it. hrbot is Chinese-first, so the defaults are Chinese; a project overrides any of them
by defining the response (e.g. `utter_default`) in its domain."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEFAULT_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        # action_default_fallback (and the two-stage fallback giving up, in Rasa)
        "utter_default": "抱歉,我没有理解您的意思。",
        # action_default_ask_affirmation: the buttons list the candidate intents
        "utter_ask_affirmation": "抱歉,我不太确定您的意思。您是想问下面哪一项?",
        # action_default_ask_rephrase
        "utter_ask_rephrase": "抱歉,我还是没有理解。能换个说法再说一遍吗?",
        # action_human_handoff
        "utter_human_handoff": "好的,正在为您转接人工HR,请稍候,HR同事会尽快回复您。",
        # a custom action could not run (action server down, slow or failing)
        "utter_action_failed": "抱歉,相关系统暂时无法使用,您的请求没有办成。请稍后再试,或转人工HR处理。",
    }
)
"""Default text by response name."""

NONE_OF_THESE_TITLE = "都不是"
"""Title of the affirmation button that answers "none of these" (payload `/out_of_scope`)."""
