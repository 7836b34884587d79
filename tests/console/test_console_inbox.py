"""The handoff inbox: waiting conversations with their reason, wait, masked profile and last
messages; claiming (one agent per conversation, also in a race), replying through the
employee's channel, handing back to the bot with a note, live updates, and every step audited."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path

import pytest
from console_support import (
    ADMIN,
    AGENT,
    EMPLOYEE,
    HANDOFF_TEXT,
    OTHER_AGENT,
    Browser,
    Console,
    open_console,
)

from hrbot.channels.webchat.history import visible_messages
from hrbot.console.audit import AuditFilter
from hrbot.console.claims import ClaimStore
from hrbot.console.tables import console_tables
from hrbot.dialogue.messages import BotMessage, UserMessage
from hrbot.model.loading import LoadedModel
from hrbot.stores.sql import SQLDatabase

SCRIPT = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'


@pytest.fixture
def staffed(console: Console) -> Console:
    for username in (AGENT, OTHER_AGENT, ADMIN):
        console.add_account(username)
    return console


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="waiting[^"]*" data-sender="([^"]+)"', html)


def claim(browser: Browser, sender: str = EMPLOYEE) -> int:
    browser.get("/inbox")
    return browser.post("/conversations/claim", {"sender_id": sender}).status_code


def actions(console: Console, prefix: str) -> list[tuple[str, str, str]]:
    found = console.run(console.ctx.audit.entries(AuditFilter(action=prefix), limit=100))
    return [(entry.actor, entry.action, entry.target) for entry in reversed(found)]


def test_a_handed_off_conversation_waits_with_its_reason_profile_wait_and_last_messages(
    staffed: Console, browser: Browser
) -> None:
    staffed.say("E1010", "/greet")  # talks to the bot only: not in the inbox
    staffed.hand_off(EMPLOYEE, "工资少发了", "麻烦尽快处理")
    browser.log_in(AGENT)

    page = browser.get("/inbox").text

    assert cards(page) == [EMPLOYEE]
    card = page[page.index('data-sender="E1008"'):]
    assert "员工要求转人工" in card and "已等待 刚刚" in card
    assert "吴婉清" in card and "135****4059" in card
    last = re.findall(r'<span class="text">([^<]*)</span>', card)[:3]
    assert last == [HANDOFF_TEXT, "工资少发了", "麻烦尽快处理"]
    assert 'id="inbox-count">1<' in page


def test_the_longest_waiting_conversation_comes_first(staffed: Console, browser: Browser) -> None:
    staffed.hand_off("E1010")
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)
    assert cards(browser.get("/inbox").text) == ["E1010", EMPLOYEE]


def test_two_agents_cannot_claim_the_same_conversation(staffed: Console, browser: Browser) -> None:
    staffed.hand_off(EMPLOYEE)
    other = staffed.client()
    browser.log_in(AGENT)
    other.log_in(OTHER_AGENT)

    assert claim(browser) == 303
    refused = other.post("/conversations/claim", {"sender_id": EMPLOYEE})

    assert refused.status_code == 409
    assert "该会话已由 E1002 认领" in refused.text
    assert "徐雨萱 正在处理" in other.get("/inbox").text
    assert other.post("/conversations/reply", {"sender_id": EMPLOYEE, "text": "我来"}).status_code == 409
    assert actions(staffed, "inbox.claim") == [(AGENT, "inbox.claim", EMPLOYEE)]
    other.close()


def test_of_many_agents_claiming_at_the_same_moment_exactly_one_gets_the_conversation(
    staffed: Console
) -> None:
    claims = staffed.ctx.claims

    async def everyone() -> list[bool]:
        return list(await asyncio.gather(*(claims.claim(EMPLOYEE, 7, f"E20{n:02d}", 1.0) for n in range(20))))

    won = staffed.run(everyone())

    assert won.count(True) == 1
    holder = staffed.run(claims.current())[EMPLOYEE]
    assert holder.agent == f"E20{won.index(True):02d}"


def test_server_processes_racing_for_a_claim_on_one_database_leave_one_winner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    console_tables(SQLDatabase(url)).database.dispose()  # the tables exist before the race
    start = threading.Barrier(8)
    results: dict[str, bool] = {}

    def process(agent: str) -> None:
        tables = console_tables(SQLDatabase(url))  # each with its own engine, as separate servers
        start.wait()
        results[agent] = asyncio.run(ClaimStore(tables).claim(EMPLOYEE, 3, agent, 1.0))
        tables.database.dispose()

    threads = [threading.Thread(target=process, args=(f"E30{n:02d}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == [False] * 7 + [True]


def test_an_agents_reply_is_stored_in_the_conversation_and_posted_to_the_rest_callback(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE, "工资少发了")
    browser.log_in(AGENT)
    early = browser.post("/conversations/reply", {"sender_id": EMPLOYEE, "text": "我先看看"})
    assert early.status_code == 409

    claim(browser)
    sent = browser.post("/conversations/reply",
                        {"sender_id": EMPLOYEE, "text": "您好,我是HR徐雨萱,正在核对。"})

    assert sent.status_code == 303 and "notice=sent" in sent.headers["location"]
    assert staffed.callback.bodies == [{"recipient_id": EMPLOYEE, "text": "您好,我是HR徐雨萱,正在核对。"}]
    assert staffed.assistant.processor is not None
    tracker = staffed.run(staffed.assistant.processor.tracker(EMPLOYEE))
    shown = visible_messages(tracker.events, EMPLOYEE)  # what the web chat's history shows
    assert shown[-1]["role"] == "bot" and shown[-1]["text"] == "您好,我是HR徐雨萱,正在核对。"
    assert tracker.paused  # still with the human
    page = browser.get(sent.headers["location"].removeprefix("/console")).text
    assert "回复已发送给员工" in page and "坐席 徐雨萱" in page
    assert actions(staffed, "inbox.reply") == [(AGENT, "inbox.reply", EMPLOYEE)]


def test_a_web_chat_conversation_gets_the_reply_through_its_history_without_a_push(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE, channel="webchat")
    browser.log_in(AGENT)
    claim(browser)

    sent = browser.post("/conversations/reply", {"sender_id": EMPLOYEE, "text": "您好"})

    assert "notice=stored" in sent.headers["location"]
    assert staffed.callback.bodies == []


def test_a_channel_the_server_registers_pushes_replies_for_its_conversations(
    console_model: LoadedModel, tmp_path: Path
) -> None:
    pushed: list[tuple[str, str | None]] = []

    class WeComReplies:
        name = "wecom"

        async def send_response(self, recipient_id: str, message: BotMessage) -> None:
            pushed.append((recipient_id, message.text))

    console = open_console(tmp_path, console_model, extra_channels={"wecom": WeComReplies()})
    console.add_account(AGENT)
    console.hand_off("wx_u1008", channel="wecom")
    browser = console.client()
    browser.log_in(AGENT)
    assert "吴婉清" in browser.get("/inbox").text  # the WeCom userid is found in the directory
    claim(browser, "wx_u1008")

    sent = browser.post("/conversations/reply", {"sender_id": "wx_u1008", "text": "您好"})

    assert "notice=sent" in sent.headers["location"]
    assert pushed == [("wx_u1008", "您好")] and console.callback.bodies == []
    browser.close()
    console.close()


def test_a_callback_that_fails_keeps_the_reply_and_tells_the_agent(
    staffed: Console, browser: Browser
) -> None:
    staffed.callback.status = 502
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)
    claim(browser)

    sent = browser.post("/conversations/reply", {"sender_id": EMPLOYEE, "text": "您好"})

    assert "notice=not_pushed" in sent.headers["location"]
    page = browser.get(sent.headers["location"].removeprefix("/console")).text
    assert "推送到员工所在渠道失败" in page and '<div class="bubble">您好</div>' in page
    entry = staffed.run(staffed.ctx.audit.entries(AuditFilter(action="inbox.reply")))[0]
    assert entry.details["pushed"] is False and "502" in entry.details["error"]


def test_handing_back_resumes_the_bot_closes_the_handoff_and_keeps_the_note(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)
    claim(browser)

    back = browser.post("/conversations/hand-back", {"sender_id": EMPLOYEE, "note": "已解释工资构成"})

    assert back.headers["location"] == "/console/inbox?notice=handed_back"
    assert cards(browser.get("/inbox").text) == []
    processor = staffed.assistant.processor
    assert processor is not None
    assert not staffed.run(processor.tracker(EMPLOYEE)).paused
    review = staffed.assistant.stores.review_log
    assert staffed.run(review.count("handoff", open_only=True)) == 0
    transcript = browser.get(f"/transcripts/{EMPLOYEE}").text
    assert "由 徐雨萱 交回机器人。备注:已解释工资构成" in transcript
    staffed.say(EMPLOYEE, "/greet")
    shown = visible_messages(staffed.run(processor.tracker(EMPLOYEE)).events, EMPLOYEE)
    assert shown[-1]["text"] == "您好,我是HR助手。"
    assert actions(staffed, "inbox.hand_back") == [(AGENT, "inbox.hand_back", EMPLOYEE)]


def test_only_the_agent_holding_a_conversation_can_hand_it_back(staffed: Console, browser: Browser) -> None:
    staffed.hand_off(EMPLOYEE)
    other = staffed.client()
    browser.log_in(AGENT)
    other.log_in(OTHER_AGENT)
    claim(browser)

    assert other.post("/conversations/hand-back", {"sender_id": EMPLOYEE}).status_code == 409
    assert staffed.run(staffed.assistant.processor.tracker(EMPLOYEE)).paused  # type: ignore[union-attr]
    other.close()


def test_a_new_handoff_after_a_hand_back_is_unclaimed_again(staffed: Console, browser: Browser) -> None:
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)
    claim(browser)
    browser.post("/conversations/hand-back", {"sender_id": EMPLOYEE})

    staffed.hand_off(EMPLOYEE, "又有问题")

    page = browser.get("/inbox").text
    assert cards(page) == [EMPLOYEE] and 'class="claim"' in page


def test_releasing_puts_the_conversation_back_and_an_admin_may_release_anyones(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE)
    agent, other, admin = browser, staffed.client(), staffed.client()
    agent.log_in(AGENT)
    other.log_in(OTHER_AGENT)
    admin.log_in(ADMIN)
    claim(agent)

    assert other.post("/conversations/release", {"sender_id": EMPLOYEE}).status_code == 409
    assert admin.post("/conversations/release", {"sender_id": EMPLOYEE}).status_code == 303
    assert claim(other) == 303
    assert actions(staffed, "inbox.release") == [(ADMIN, "inbox.release", EMPLOYEE)]
    other.close()
    admin.close()


def test_html_and_scripts_from_employees_are_shown_as_text_everywhere(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE, SCRIPT)
    browser.log_in(AGENT)

    escaped = "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    for page in (browser.get("/inbox").text, browser.get(f"/conversations/{EMPLOYEE}").text,
                 browser.get(f"/transcripts/{EMPLOYEE}").text):
        assert escaped in page and SCRIPT not in page
    stream = browser.get("/live/inbox", headers={"Accept": "text/event-stream"})
    html = json.loads(stream.text.split("data: ", 1)[1].split("\n")[0])["html"]
    assert escaped in html and "<script>" not in html


def test_the_live_inbox_stream_sends_the_cards_and_not_again_what_the_page_already_shows(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)

    stream = browser.get("/live/inbox", headers={"Accept": "text/event-stream"})

    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.text.startswith("retry: ")
    event_id = re.search(r"^id: (\S+)$", stream.text, re.MULTILINE)
    assert event_id is not None and stream.text.count("event: inbox") == 1
    data = json.loads(re.search(r"^data: (.+)$", stream.text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert data["count"] == 1 and cards(data["html"]) == [EMPLOYEE]
    reconnect = {"Accept": "text/event-stream", "Last-Event-ID": event_id.group(1)}
    again = browser.get("/live/inbox", headers=reconnect)
    assert "event: inbox" not in again.text
    live_url = re.search(r'data-live="([^"]+)"', browser.get("/inbox").text).group(1)  # type: ignore[union-attr]
    fresh_page = browser.request("GET", live_url.replace("&amp;", "&"),
                                 headers={"Accept": "text/event-stream"})
    assert "?shown=" in live_url and "event: inbox" not in fresh_page.text


def test_a_handoff_appears_on_an_open_inbox_without_a_reload(
    console_model: LoadedModel, tmp_path: Path
) -> None:
    console = open_console(tmp_path, console_model, live_stream_seconds=1.0, live_poll_seconds=0.02)
    console.add_account(AGENT)
    browser = console.client()
    browser.log_in(AGENT)
    assert console.assistant.processor is not None

    async def employee_asks_for_a_human() -> None:
        await asyncio.sleep(0.2)
        await console.assistant.processor.handle_message(  # type: ignore[union-attr]
            UserMessage("/human_handoff", EMPLOYEE))

    async def watch() -> str:
        stream, _ = await asyncio.gather(
            browser.http.get("/console/live/inbox", headers={"Accept": "text/event-stream"}),
            employee_asks_for_a_human())
        return stream.text

    events = [json.loads(line[6:]) for line in console.run(watch()).splitlines() if line.startswith("data: ")]

    assert [event["count"] for event in events] == [0, 1]
    assert cards(events[1]["html"]) == [EMPLOYEE]
    browser.close()
    console.close()


def test_the_inbox_json_carries_an_etag_and_answers_304_until_something_changes(
    staffed: Console, browser: Browser
) -> None:
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)
    first = browser.get("/inbox.json")
    tag = first.headers["etag"]
    assert first.json()["items"][0]["sender"] == EMPLOYEE
    assert first.json()["items"][0]["profile"]["phone"] == "135****4059"

    assert browser.get("/inbox.json", headers={"If-None-Match": tag}).status_code == 304
    claim(browser)
    changed = browser.get("/inbox.json", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()["items"][0]["agent"] == AGENT


def test_the_conversation_page_shows_nlu_results_and_canned_replies_from_the_handbook(
    staffed: Console, browser: Browser
) -> None:
    staffed.say(EMPLOYEE, "/salary_query")
    staffed.hand_off(EMPLOYEE)
    browser.log_in(AGENT)
    claim(browser)

    page = browser.get(f"/conversations/{EMPLOYEE}").text

    assert "意图 <code>salary_query</code> 100%" in page
    assert 'data-reply="根据《员工手册》第2.5条:婚假:3天,依法登记结婚后1年内一次性休完。"' in page
    assert actions(staffed, "transcript.view")[-1] == (AGENT, "transcript.view", EMPLOYEE)


def test_an_inbox_without_a_dialogue_model_says_so(staffed: Console, browser: Browser) -> None:
    browser.log_in(AGENT)
    staffed.ctx.state.assistant.processor = None  # type: ignore[union-attr]
    staffed.ctx.waiting_feed.invalidate()
    page = browser.get("/inbox")
    assert page.status_code == 409 and "没有对话部分" in page.text
