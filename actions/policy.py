"""Policy questions ("婚假有几天", "打车报销有上限吗"): answered by quoting the handbook's
matching section, never from text written into the bot; when nothing in the handbook matches
well enough, the bot says so and offers a human HR agent.

The handbook is `demo/handbook.md` of this project unless $HRBOT_HANDBOOK names another file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handbook import HandbookIndex

HANDBOOK_ENV = "HRBOT_HANDBOOK"
DEFAULT_HANDBOOK = Path(__file__).resolve().parents[1] / "demo" / "handbook.md"
NOT_FOUND_RESPONSE = "utter_policy_not_found"


def handbook_path() -> Path:
    return Path(os.environ.get(HANDBOOK_ENV) or DEFAULT_HANDBOOK)


class ActionAnswerPolicyQuestion(Action):  # type: ignore[misc]
    """Quotes the handbook section(s) that answer the latest message."""

    def __init__(self, index: HandbookIndex | None = None) -> None:
        # built when the action server starts, so that no employee waits for it
        self._path = handbook_path()
        self._index = index or HandbookIndex.from_file(self._path)

    # The action server's worker processes receive the actions pickled; the index (with its
    # segmenter) is rebuilt there rather than sent.
    def __getstate__(self) -> dict[str, Any]:
        return {"path": str(self._path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._path = Path(state["path"])
        self._index = HandbookIndex.from_file(self._path)

    def name(self) -> str:
        return "action_answer_policy_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = str(tracker.latest_message.get("text") or "")
        answer = self._index.answer(question)
        if answer is None:
            dispatcher.utter_message(response=NOT_FOUND_RESPONSE)
        else:
            dispatcher.utter_message(text=answer.text)
        return []
