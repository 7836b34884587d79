"""The facts review and analytics count, read from one conversation's event rows: what a
fallback, a handoff, a failed action and negative feedback are, how long a handoff waited, and
where a session begins."""

from __future__ import annotations

import json
from typing import Any

from review_support import T0, Conversation

from hrbot.console.review_facts import EventRow, conversation_facts
from hrbot.stores.base import event_columns


def rows(conversation: Conversation) -> list[EventRow]:
    found = []
    for index, event in enumerate(conversation.events, start=1):
        data: dict[str, Any] = event.to_dict()
        action_name = event_columns(data)[1]
        found.append(EventRow(index, event.type_name, event.timestamp, action_name, json.dumps(data)))
    return found


def test_a_flag_belongs_to_the_message_that_was_answered_before_the_next_one() -> None:
    talk = Conversation("E1008").session().user("查工资", "salary_query").failed_action() \
        .user("转人工", "human_handoff").handoff().user("还在吗", "greet")

    first, second, third = conversation_facts("E1008", rows(talk)).messages

    assert (first.flags, second.flags, third.flags) == ({"action_failed"}, {"handoff"}, frozenset())


def test_a_button_payload_and_a_system_trigger_are_not_reviewed_as_text() -> None:
    talk = Conversation("E1008").session().user("/salary_query", "salary_query", 0.1) \
        .user("EXTERNAL: reminder_payday", "reminder_payday", 1.0)

    [button] = conversation_facts("E1008", rows(talk)).messages

    assert button.shortcut and button.flags == frozenset()


def test_negative_feedback_is_a_complaint_word_or_a_no_right_after_a_plain_answer() -> None:
    talk = Conversation("E1008").session().user("工资", "salary_query").bot("10月实发 ***元。") \
        .user("不对", "deny", 0.9).bot("要转人工吗?", buttons=["是", "否"]).user("不用", "deny", 0.9) \
        .user("差评", "greet", 0.9).bot("好的").user("不是", "deny", 0.4)

    flags = [message.flags for message in conversation_facts("E1008", rows(talk)).messages]

    assert ["negative" in found for found in flags] == [False, True, False, True, False]


def test_a_handoff_waits_until_the_first_agent_reply_or_the_hand_back() -> None:
    talk = Conversation("E1008").session().user("转人工", "human_handoff").handoff() \
        .agent("您好", wait=45).agent("还需要什么?", wait=30).resume() \
        .user("转人工", "human_handoff").handoff().resume(wait=200) \
        .user("转人工", "human_handoff").handoff()

    waits = [handoff.wait_seconds for handoff in conversation_facts("E1008", rows(talk)).handoffs]

    assert waits == [45.0, 200.0, None]


def test_sessions_start_at_each_session_start_and_remember_their_handoffs() -> None:
    talk = Conversation("E1008", at=T0, channel="wecom").session().user("你好", "greet") \
        .user("转人工", "human_handoff").handoff().resume().session().user("查工资", "salary_query")

    sessions = conversation_facts("E1008", rows(talk)).sessions

    assert [(s.messages, s.handed_off, s.channel) for s in sessions] == [
        (2, True, "wecom"), (1, False, "wecom")]
    assert sessions[0].first_at == T0 + 10
