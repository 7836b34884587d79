"""The audit log for admins: browse (filter by actor, action, target), check the chain, export.

    GET /audit                 ?actor=&action=&target=&page=&verify=1
    GET /audit/export          ?format=jsonl|csv (+ the same filters); the export is audited too
"""

from __future__ import annotations

from datetime import datetime

from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hrbot.console.audit import AuditFilter
from hrbot.console.audit_export import FORMATS, export_lines
from hrbot.console.context import ConsoleContext
from hrbot.console.roles import Permission
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.web import ConsoleRequest, view

PAGE_SIZE = 100


def _filter(request: ConsoleRequest) -> AuditFilter:
    params = request.request.query_params
    return AuditFilter(
        actor=params.get("actor", "").strip()[:64] or None,
        action=params.get("action", "").strip()[:64] or None,
        target=params.get("target", "").strip()[:255] or None,
    )


def audit_section(ctx: ConsoleContext) -> ConsoleSection:
    async def browse(request: ConsoleRequest) -> Response:
        where = _filter(request)
        raw_page = request.request.query_params.get("page", "1")
        page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 1_000_000 else 1
        check = await ctx.audit.verify() if request.request.query_params.get("verify") else None
        await request.audit("audit.view", "", {"actor": where.actor, "action": where.action,
                                               "target": where.target, "verify": check is not None})
        entries = await ctx.audit.entries(where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = await ctx.audit.count(where)
        return request.page("audit.html", entries=entries, where=where, page=page, check=check,
                            pages=max(1, -(-total // PAGE_SIZE)), total=total, formats=FORMATS)

    async def export(request: ConsoleRequest) -> Response:
        fmt = request.request.query_params.get("format", "jsonl")
        if fmt not in FORMATS:
            return request.page("error.html", status=400, message="导出格式只能是 jsonl 或 csv。")
        where = _filter(request)
        await request.audit("audit.export", "", {"format": fmt, "actor": where.actor, "action": where.action,
                                                 "target": where.target})
        stamp = datetime.fromtimestamp(ctx.now()).strftime("%Y%m%d-%H%M%S")
        media = "application/x-ndjson; charset=utf-8" if fmt == "jsonl" else "text/csv; charset=utf-8"
        return StreamingResponse(
            export_lines(ctx.audit.oldest_first(where), fmt), media_type=media,
            headers={"Content-Disposition": f'attachment; filename="hrbot-audit-{stamp}.{fmt}"',
                     "Cache-Control": "no-store"},
        )

    return ConsoleSection(
        routes=[
            Route("/audit", view(ctx, browse, Permission.AUDIT), methods=["GET"]),
            Route("/audit/export", view(ctx, export, Permission.AUDIT), methods=["GET"]),
        ],
        nav=(NavEntry("audit", "审计日志", "/audit", Permission.AUDIT, order=80),),
    )
