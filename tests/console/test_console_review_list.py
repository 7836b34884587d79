"""The review list: conversations with a fallback, a low-confidence message, a handoff, a failed
action or negative feedback — by the definitions the page publishes — filtered by date,
channel, intent, confidence, department and the messages' text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_support import ADMIN, AGENT, DESIGNER, Browser, Console
from review_support import DAY, T0, WHOLE_TIME, Conversation, listed_senders, open_project_console

from hrbot.console.review_facts import DEFINITIONS, NEGATIVE_KEYWORDS
from hrbot.model.loading import LoadedModel
from hrbot.stores.sql import events_table


@pytest.fixture
def review(console_model: LoadedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    console = open_project_console(tmp_path, console_model, monkeypatch)
    for username in (DESIGNER, ADMIN, AGENT):
        console.add_account(username)
    yield console
    console.close()


@pytest.fixture
def designer(review: Console) -> Iterator[Browser]:
    client = review.client()
    client.log_in(DESIGNER)
    yield client
    client.close()


def test_each_kind_of_problem_puts_a_conversation_on_the_list_and_smooth_ones_stay_off(
    review: Console, designer: Browser
) -> None:
    Conversation("E1008").session().user("社保交了吗", "nlu_fallback", 0.3).fallback_action().save(review)
    Conversation("E1009").session().user("年假怎么算", "leave_balance", 0.41).bot("您还有 5 天年假。") \
        .save(review)
    Conversation("E1010").session().user("转人工", "human_handoff").handoff().save(review)
    Conversation("E1011").session().user("查工资", "salary_query").failed_action().save(review)
    Conversation("E1012").session().user("你这回答👎", "greet", 0.9).save(review)
    Conversation("E1013").session().user("工资", "salary_query").bot("10月实发 ***元。") \
        .user("不对", "deny", 0.9).save(review)
    # a "no" to the bot's question, and a "no" inside a form, are answers, not complaints
    Conversation("E1014").session().user("请假", "request_leave").bot("要提交吗?", buttons=["是", "否"]) \
        .user("不用了", "deny", 0.9).save(review)
    Conversation("E1015").session().user("请假", "request_leave").form("leave_form").bot("请问请几天?") \
        .user("算了", "deny", 0.9).save(review)
    Conversation("E1016").session().user("查工资", "salary_query").bot("10月实发 ***元。").save(review)

    page = designer.get(f"/review?{WHOLE_TIME}")

    assert page.status_code == 200
    assert sorted(listed_senders(page.text)) == ["E1008", "E1009", "E1010", "E1011", "E1012", "E1013"]
    for sender, flag in [("E1008", "兜底"), ("E1009", "低置信度"), ("E1010", "转人工"), ("E1011", "操作失败"),
                         ("E1012", "负面反馈"), ("E1013", "负面反馈")]:
        row = page.text[page.text.index(f'<tr data-sender="{sender}">'):]
        assert flag in row[: row.index("</tr>")], sender
    for flag in ("fallback", "negative"):
        assert DEFINITIONS[flag] in page.text  # the page publishes how each problem is recognised
    assert all(keyword in page.text for keyword in NEGATIVE_KEYWORDS)


def test_the_list_is_newest_first_and_each_flag_can_be_chosen(review: Console, designer: Browser) -> None:
    Conversation("E1008", at=T0).session().user("社保交了吗", "nlu_fallback", 0.3).save(review)
    Conversation("E1009", at=T0 + 60).session().user("年假", "leave_balance", 0.41).save(review)

    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}").text) == ["E1009", "E1008"]
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&flag=fallback").text) == ["E1008"]
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&flag=handoff").text) == []


def test_filters_narrow_the_list_by_date_channel_intent_confidence_and_department(
    review: Console, designer: Browser
) -> None:
    Conversation("E1008", at=T0 - 40 * DAY).session().user("社保交了吗", "nlu_fallback", 0.3).save(review)
    Conversation("E1009", channel="wecom").session().user("年假还剩几天", "leave_balance", 0.5).save(review)
    Conversation("E1023").session().user("工资条在哪", "salary_query", 0.2).save(review)  # 技术部

    assert sorted(listed_senders(designer.get("/review").text)) == ["E1009", "E1023"]  # the last 30 days
    assert listed_senders(designer.get("/review?from=2026-10-12&to=2026-10-12").text) == ["E1008"]
    assert sorted(listed_senders(designer.get("/review?from=2026-10-13&to=").text)) == ["E1009", "E1023"]
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&channel=wecom").text) == ["E1009"]
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&intent=salary_query").text) == ["E1023"]
    assert sorted(listed_senders(designer.get(f"/review?{WHOLE_TIME}&max_confidence=0.3").text)) == [
        "E1008", "E1023"]
    assert sorted(listed_senders(designer.get(f"/review?{WHOLE_TIME}&department=客服部").text)) == [
        "E1008", "E1009"]
    page = designer.get(f"/review?{WHOLE_TIME}").text
    assert "<option>技术部</option>" in page and "<option>wecom</option>" in page  # what there is to pick


def test_full_text_search_finds_words_but_never_a_masked_figure_for_a_designer(
    review: Console, designer: Browser
) -> None:
    Conversation("E1008").session().user("我的手机13912345678收不到验证码", "greet", 0.3).save(review)
    Conversation("E1009").session().user("年假还剩几天", "leave_balance", 0.3).save(review)

    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&q=验证码").text) == ["E1008"]
    found = designer.get(f"/review?{WHOLE_TIME}&q=13912345678").text
    assert listed_senders(found) == []  # a search must not reveal what the mask hides
    assert "13912345678" not in designer.get(f"/review?{WHOLE_TIME}").text
    admin = review.client()
    admin.log_in(ADMIN)
    assert listed_senders(admin.get(f"/review?{WHOLE_TIME}&q=13912345678").text) == ["E1008"]
    admin.close()


def test_search_finds_messages_a_rasa_server_stored_with_escaped_unicode(
    review: Console, designer: Browser
) -> None:
    event = {"event": "user", "timestamp": T0, "text": "公积金比例是多少", "input_channel": "rest",
             "parse_data": {"intent": {"name": "greet", "confidence": 0.2}, "entities": [],
                            "intent_ranking": [{"name": "greet", "confidence": 0.2}]}}
    database = review.assistant.stores.database
    assert database is not None
    events = events_table(database)
    database.run_sync(lambda conn: conn.execute(sa.insert(events).values(
        sender_id="E1008", type_name="user", timestamp=T0, intent_name="greet", data=json.dumps(event))))

    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&q=公积金").text) == ["E1008"]


def test_reviewed_messages_leave_the_open_list_but_stay_on_the_full_one(
    review: Console, designer: Browser
) -> None:
    Conversation("E1008").session().user("社保交了吗", "nlu_fallback", 0.3,
                                          ranking=[("greet", 0.3)]).save(review)
    page = designer.get("/review/conversations/E1008?" + WHOLE_TIME)
    event_id = int(page.text.split('name="event_id" value="')[1].split('"')[0])

    done = designer.post("/review/annotate", {"event_id": str(event_id), "review": "correct",
                                              "intent": "salary_query", "entities": "[]",
                                              "back": f"/review?{WHOLE_TIME}"})

    assert done.status_code == 303
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}").text) == []
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}&status=all").text) == ["E1008"]


def test_only_designers_and_admins_review_and_every_view_is_audited(
    review: Console, designer: Browser
) -> None:
    Conversation("E1008").session().user("社保交了吗", "nlu_fallback", 0.3).save(review)
    agent = review.client()
    agent.log_in(AGENT)

    assert agent.get("/review").status_code == 403
    assert agent.get("/review/conversations/E1008").status_code == 403
    assert designer.get(f"/review?{WHOLE_TIME}").status_code == 200
    assert designer.get(f"/review/conversations/E1008?{WHOLE_TIME}").status_code == 200

    entries = review.run(review.ctx.audit.entries(limit=20))
    seen = [(entry.actor, entry.action, entry.target) for entry in entries]
    assert (DESIGNER, "review.list", "") in seen
    assert (DESIGNER, "transcript.view", "E1008") in seen
    agent.close()
