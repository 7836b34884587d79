"""Analytics: containment, fallback rate, handoffs and their reasons, intents, unrecognised
messages and the median wait for an agent — by day and channel, counted exactly as the page's
published definitions say, drawn as inline SVG and exported as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_support import ADMIN, AGENT, DESIGNER, Browser, Console
from review_support import DAY, T0, Conversation, open_project_console

from hrbot.console.analytics import METRICS
from hrbot.model.loading import LoadedModel

WINDOW = "from=2026-11-20&to=2026-11-21"


@pytest.fixture
def stats(console_model: LoadedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    console = open_project_console(tmp_path, console_model, monkeypatch)
    for username in (ADMIN, DESIGNER, AGENT):
        console.add_account(username)
    yield console
    console.close()


@pytest.fixture
def admin(stats: Console) -> Iterator[Browser]:
    client = stats.client()
    client.log_in(ADMIN)
    yield client
    client.close()


def rows(browser: Browser, metric: str, query: str = WINDOW) -> list[dict[str, str]]:
    response = browser.get(f"/analytics/export?metric={metric}&{query}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


def two_days_of_conversations(console: Console) -> None:
    """Yesterday on the web chat: one smooth session and one that went to an agent, who replied
    after 60 s. Today over REST: a fallback handed to a human after two tries (handed back after
    300 s without a reply), a failed action handed off and still waiting, and a smooth session."""
    Conversation("E1008", at=T0 - DAY, channel="webchat").session().user("查工资", "salary_query") \
        .bot("10月实发 ***元。").save(console)
    Conversation("E1009", at=T0 - DAY, channel="webchat").session().user("转人工", "human_handoff") \
        .handoff("requested").agent("您好,我是HR。", wait=60).resume().save(console)
    Conversation("E1010").session().user("查 社保!", "nlu_fallback", 0.2).fallback_action() \
        .user("查社保", "nlu_fallback", 0.2).fallback_action().handoff("fallback").resume(wait=300) \
        .user("谢谢", "greet").save(console)
    Conversation("E1011").session().user("上个月工资多少", "salary_query").failed_action() \
        .handoff("action_failed").save(console)
    Conversation("E1012").session().user("你好", "greet").bot("您好").session() \
        .user("=HYPERLINK(\"http://evil\")", "nlu_fallback", 0.1).fallback_action().save(console)


def test_each_metric_is_counted_by_its_published_definition(stats: Console, admin: Browser) -> None:
    two_days_of_conversations(stats)

    assert rows(admin, "containment") == [
        {"date": "2026-11-20", "channel": "webchat", "conversations": "2", "contained": "1",
         "containment_rate": "0.5000"},
        {"date": "2026-11-21", "channel": "rest", "conversations": "4", "contained": "2",
         "containment_rate": "0.5000"},
    ]
    assert [(r["date"], r["messages"], r["fallbacks"]) for r in rows(admin, "fallback")] == [
        ("2026-11-20", "2", "0"), ("2026-11-21", "6", "3")]
    assert [(r["date"], r["reason"], r["reason_label"], r["handoffs"]) for r in rows(admin, "handoffs")] == [
        ("2026-11-20", "requested", "员工要求转人工", "1"),
        ("2026-11-21", "action_failed", "HR 系统操作失败", "1"),
        ("2026-11-21", "fallback", "机器人多次未能理解", "1"),
    ]
    waits = [(r["date"], r["median_wait_seconds"], r["still_waiting"]) for r in rows(admin, "handoff_wait")]
    assert waits == [("2026-11-20", "60", "0"), ("2026-11-21", "300", "1")]
    intents = {(r["date"], r["intent"]): int(r["messages"]) for r in rows(admin, "intents")}
    assert intents == {("2026-11-20", "salary_query"): 1, ("2026-11-20", "human_handoff"): 1,
                       ("2026-11-21", "nlu_fallback"): 3, ("2026-11-21", "greet"): 2,
                       ("2026-11-21", "salary_query"): 1}
    unrecognised = rows(admin, "unrecognised")
    assert [(r["text"], r["count"]) for r in unrecognised] == [
        ("查社保", "2"), ("'=HYPERLINK(\"http://evil\")", "1")]  # no formula in a spreadsheet

    page = admin.get(f"/analytics?{WINDOW}").text
    assert '<b id="total-containment">50%</b>' in page and '<b id="total-fallback">38%</b>' in page
    assert '<b id="total-handoffs">3</b>' in page
    assert '<b id="total-wait">3 分</b>' in page and "另有 1 次仍在等待" in page  # median of 60 s and 300 s


def test_the_page_publishes_every_definition_and_draws_its_charts_as_inline_svg(
    stats: Console, admin: Browser
) -> None:
    two_days_of_conversations(stats)

    page = admin.get(f"/analytics?{WINDOW}").text

    for metric in METRICS:
        assert metric.definition in page, metric.key
        assert f'id="export-{metric.key}"' in page
    for chart in ("chart-containment", "chart-fallback", "chart-handoffs", "chart-handoff-reasons",
                  "chart-intents", "chart-handoff-wait", "chart-channel-containment",
                  "chart-channel-fallback"):
        assert f'id="{chart}" viewBox=' in page
    assert "<title>2026-11-20:50%</title>" in page  # each day's value, on the containment line
    assert "<title>webchat:0%</title>" in page  # each channel's fallback rate, as a bar
    main = page[page.index("<main>"):]
    assert "<script" not in main and "style=" not in main and "https://" not in main
    assert "<td>webchat</td>" in page and '<tr data-channel="rest">' in page


def test_a_channel_and_a_date_range_narrow_every_figure(stats: Console, admin: Browser) -> None:
    two_days_of_conversations(stats)

    assert [r["channel"] for r in rows(admin, "containment", WINDOW + "&channel=webchat")] == ["webchat"]
    assert [r["date"] for r in rows(admin, "fallback", "from=2026-11-21&to=2026-11-21")] == ["2026-11-21"]
    page = admin.get(f"/analytics?{WINDOW}&channel=webchat").text
    assert '<b id="total-handoffs">1</b>' in page and "查社保" not in page


def test_new_conversations_show_at_once(stats: Console, admin: Browser) -> None:
    Conversation("E1008").session().user("查工资", "salary_query").save(stats)
    assert '<b id="total-handoffs">0</b>' in admin.get(f"/analytics?{WINDOW}").text

    Conversation("E1008").user("转人工", "human_handoff").handoff().save(stats)

    assert '<b id="total-handoffs">1</b>' in admin.get(f"/analytics?{WINDOW}").text


def test_only_admins_see_analytics_and_every_view_and_export_is_audited(
    stats: Console, admin: Browser
) -> None:
    for username in (DESIGNER, AGENT):
        other = stats.client()
        other.log_in(username)
        assert other.get("/analytics").status_code == 403
        assert other.get("/analytics/export?metric=fallback").status_code == 403
        other.close()
    assert admin.get("/analytics/export?metric=nonsense").status_code == 400

    admin.get(f"/analytics?{WINDOW}")
    rows(admin, "intents")

    actions = [(e.action, e.target) for e in stats.run(stats.ctx.audit.entries(limit=5))]
    assert ("analytics.export", "intents") in actions and ("analytics.view", "") in actions
