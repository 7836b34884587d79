"""action_answer_policy_question: quotes the handbook, or says it found nothing."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

from actions.handbook import HandbookIndex
from actions.policy import NOT_FOUND_RESPONSE, ActionAnswerPolicyQuestion
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def ask(action: ActionAnswerPolicyQuestion, text: str) -> list[dict[str, Any]]:
    tracker = Tracker("E1008", {}, {"text": text, "intent": {"name": "policy_question"}}, [], False,
                      None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    assert events == []
    return dispatcher.messages


def test_a_question_the_handbook_answers_is_answered_with_its_section(
    demo_handbook_index: HandbookIndex,
) -> None:
    messages = ask(ActionAnswerPolicyQuestion(demo_handbook_index), "婚假有几天")
    assert len(messages) == 1
    assert messages[0]["text"].startswith("根据《员工手册》第2.5条")


def test_a_question_the_handbook_does_not_answer_gets_the_not_found_response(
    demo_handbook_index: HandbookIndex,
) -> None:
    messages = ask(ActionAnswerPolicyQuestion(demo_handbook_index), "公司可以带宠物上班吗")
    assert [m["response"] for m in messages] == [NOT_FOUND_RESPONSE]


def test_the_action_travels_to_the_action_servers_workers_without_its_index(
    demo_handbook_index: HandbookIndex,
) -> None:
    """rasa_sdk's server pickles its actions into worker processes; jieba cannot be pickled."""
    copy = pickle.loads(pickle.dumps(ActionAnswerPolicyQuestion(demo_handbook_index)))
    assert ask(copy, "婚假有几天")[0]["text"].startswith("根据《员工手册》第2.5条")
