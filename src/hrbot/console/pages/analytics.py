"""Analytics, for admins (the analytics permission).

    GET /analytics                 ?from=&to=&channel=   the figures by day and by channel, as
                                   charts, with each metric's published definition
    GET /analytics/export          ?metric=<key>&from=&to=&channel=   one metric as CSV

The figures are counted from the tracker store's events (`review_query`, `analytics`); the
count is kept until a conversation changes (the events table's newest id and row count), so
reloading the page costs nothing. Views and exports are audited.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hrbot.console.analytics import (
    METRIC_KEYS,
    METRICS,
    AnalyticsFilter,
    AnalyticsView,
    Tallies,
    parse_analytics_filter,
    tally,
)
from hrbot.console.analytics_charts import bar_chart, day_chart
from hrbot.console.analytics_export import metric_csv
from hrbot.console.context import ConsoleContext
from hrbot.console.masking import mask_text
from hrbot.console.review_query import EventsReader
from hrbot.console.review_static import static_routes
from hrbot.console.roles import Permission
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.web import ConsoleRequest, view

CACHED_COUNTS = 8
NO_SQL = "会话保存在内存中,无法统计:请在 endpoints.yml 中配置 SQL 类型的 tracker_store。"


def duration_text(seconds: float | None) -> str:
    """A wait as the page shows it: 45 秒, 3 分 20 秒, 2 小时 5 分."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} 秒"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} 分 {rest} 秒" if rest else f"{minutes} 分"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _audited(where: AnalyticsFilter) -> dict[str, Any]:
    return {"from": where.since.isoformat(), "to": where.until.isoformat(), "channel": where.channel}


class CountCache:
    """The last few counts, keyed by the window and the state of the events table."""

    def __init__(self) -> None:
        self._counts: OrderedDict[tuple[Any, ...], Tallies] = OrderedDict()
        self._lock = asyncio.Lock()

    async def tallies(self, reader: EventsReader, where: AnalyticsFilter, ctx: ConsoleContext) -> Tallies:
        zone = ctx.renderer.zone
        window = where.window(zone)
        async with self._lock:
            state = await reader.run(reader.newest_id)
            key = (state, window.since, window.until, str(zone))
            found = self._counts.get(key)
            if found is None:
                def count(connection: Any) -> Tallies:
                    senders = reader.senders(connection, window)
                    return tally(reader.facts(connection, senders, window), window, zone)

                found = await reader.run(count)
                self._counts[key] = found
                while len(self._counts) > CACHED_COUNTS:
                    self._counts.popitem(last=False)
            self._counts.move_to_end(key)
            return found


def analytics_section(ctx: ConsoleContext) -> ConsoleSection:
    cache = CountCache()

    def reader() -> EventsReader | None:
        assistant = ctx.state.assistant
        database = assistant.stores.database if assistant is not None else None
        return EventsReader(database) if database is not None else None

    def today() -> date:
        return datetime.fromtimestamp(ctx.now(), ctx.renderer.zone).date()

    async def current(request: ConsoleRequest) -> tuple[AnalyticsView, AnalyticsFilter] | Response:
        found = reader()
        if found is None:
            return request.page("error.html", status=409, message=NO_SQL)
        where = parse_analytics_filter(dict(request.request.query_params), today())
        return AnalyticsView(await cache.tallies(found, where, ctx), where), where

    async def page(request: ConsoleRequest) -> Response:
        result = await current(request)
        if isinstance(result, Response):
            return result
        shown, where = result
        await request.audit("analytics.view", "", _audited(where))

        def text(value: str) -> str:
            return mask_text(value) if request.masked else value

        channel_rows = shown.by_channel()
        charts = {
            "containment": day_chart([(d.day, d.value) for d in shown.containment_by_day()], kind="line",
                                     fixed_top=1.0, label=_percent),
            "fallback": day_chart([(d.day, d.value) for d in shown.fallback_by_day()], kind="line",
                                  fixed_top=1.0, label=_percent),
            "handoffs": day_chart([(d.day, d.value) for d in shown.handoffs_by_day()], kind="columns"),
            "handoff_reasons": bar_chart([(name, float(n)) for name, n in shown.handoff_reasons()]),
            "intents": bar_chart([(name, float(n)) for name, n in shown.intents()]),
            "handoff_wait": day_chart([(d.day, d.value) for d in shown.wait_by_day()], kind="line",
                                      label=lambda seconds: duration_text(seconds)),
            "channel_containment": bar_chart([(row.channel, row.containment) for row in channel_rows
                                              if row.containment is not None], label=_percent),
            "channel_fallback": bar_chart([(row.channel, row.fallback_rate) for row in channel_rows
                                           if row.fallback_rate is not None], label=_percent),
        }
        query = {"from": where.since.isoformat(), "to": where.until.isoformat(),
                 "channel": where.channel or ""}
        return request.page(
            "analytics.html", where=where, query=query, channel_rows=channel_rows, totals=shown.totals(),
            charts=charts,
            metrics={metric.key: metric for metric in METRICS}, channels=shown.tallies.channels,
            unrecognised=[(text(entry.text), entry.count, entry.last_at) for entry in shown.unrecognised()],
            duration=duration_text, masked=request.masked,
        )

    async def export(request: ConsoleRequest) -> Response:
        metric = request.request.query_params.get("metric", "")
        if metric not in METRIC_KEYS:
            return request.page("error.html", status=400,
                                message="导出的指标只能是:" + "、".join(METRIC_KEYS) + "。")
        result = await current(request)
        if isinstance(result, Response):
            return result
        shown, where = result
        await request.audit("analytics.export", metric, _audited(where))
        zone = ctx.renderer.zone
        body = metric_csv(shown, metric, text=lambda value: mask_text(value) if request.masked else value,
                          clock=lambda at: datetime.fromtimestamp(at, zone).isoformat(timespec="seconds"))
        name = f"hrbot-{metric}-{where.since.isoformat()}-{where.until.isoformat()}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)

    return ConsoleSection(
        routes=[
            Route("/analytics", view(ctx, page, Permission.ANALYTICS), methods=["GET"]),
            Route("/analytics/export", view(ctx, export, Permission.ANALYTICS), methods=["GET"]),
            *static_routes("analytics.css"),
        ],
        nav=(NavEntry("analytics", "数据分析", "/analytics", Permission.ANALYTICS, order=50),),
    )
