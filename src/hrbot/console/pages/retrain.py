"""Retraining from the console, for designers and admins (the training permission).

    GET  /retrain                 the served model, the reviewed examples, the current job
    GET  /retrain/status.json     the job's progress (ETag; the page polls it while it runs)
    POST /retrain/start           start a job (one at a time)
    POST /retrain/activate        job: make the job's candidate the model the next start loads

See `hrbot.console.retrain` for what a job does. Every page view, status change seen, start and
activation is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrbot.console.annotation_file import ReviewedFile
from hrbot.console.context import ConsoleContext
from hrbot.console.retrain import RetrainError, RetrainJobs
from hrbot.console.retrain_eval import FOLDS, trained_at_of
from hrbot.console.review_static import static_routes
from hrbot.console.roles import Permission
from hrbot.console.sections import ConsoleSection, NavEntry
from hrbot.console.web import ConsoleRequest, action, view
from hrbot.shared.project import default_cache_dir

NOTICES = {
    "started": "训练任务已开始,完成后会显示新旧模型的交叉验证结果。",
}


def retrain_section(ctx: ConsoleContext, project_dir: Path | None = None, *, folds: int = FOLDS,
                    cache_dir: Path | None = None) -> ConsoleSection:
    """The section; `project_dir` (default: the current folder, where `hrbot run` starts) is
    the project that is retrained."""
    project = project_dir or Path.cwd()
    jobs = RetrainJobs(project, lambda: ctx.state.model, folds=folds, clock=ctx.now,
                       cache_dir=cache_dir or default_cache_dir())
    reviewed = ReviewedFile(project)

    async def render(request: ConsoleRequest, *, status: int = 200, error: str | None = None,
                     notice: str | None = None) -> Response:
        job = jobs.current()
        model = ctx.state.model
        trained_at = trained_at_of(model.metadata)
        return request.page(
            "retrain.html", status=status, error=error,
            notice=notice or NOTICES.get(request.request.query_params.get("notice", "")),
            job=job, model=model, trained_at=trained_at.timestamp() if trained_at else None, folds=folds,
            reviewed_count=reviewed.count(), project_models=str(Path("models")),
        )

    async def page(request: ConsoleRequest) -> Response:
        job = jobs.current()
        await request.audit("retrain.view", "", {"job": job.id if job else None})
        return await render(request)

    async def status(request: ConsoleRequest) -> Response:
        job = jobs.current()
        body = {"job": job.to_dict() if job else None}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        tag = f'"{digest[:32]}"'
        headers = {"ETag": tag, "Cache-Control": "no-cache"}
        if request.request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        await request.audit("retrain.status", job.id if job else "", {"state": job.state if job else None,
                                                                      "step": job.step if job else None})
        return JSONResponse(body, headers=headers)

    async def start(request: ConsoleRequest) -> Response:
        try:
            job = jobs.start(request.user.username)
        except RetrainError as problem:
            await request.audit("retrain.start", "", {"refused": str(problem)})
            return await render(request, status=409, error=str(problem))
        await request.audit("retrain.start", job.id, {"served_model": job.served_model, "folds": folds})
        return request.redirect("/retrain", notice="started")

    async def activate(request: ConsoleRequest) -> Response:
        job_id = request.form.get("job", "")
        try:
            target = jobs.activate(job_id, request.user.username)
        except RetrainError as problem:
            await request.audit("retrain.activate", job_id, {"refused": str(problem)})
            return await render(request, status=409, error=str(problem))
        await request.audit("retrain.activate", job_id, {"model": target.name,
                                                         "served_model": ctx.state.model.path.name})
        served = ctx.state.model.path.name
        return await render(request, notice=f"新模型 {target.name} 已放入 models/,成为最新的模型:"
                                            f"重启 hrbot run 后生效(当前服务仍在使用 {served})。")

    return ConsoleSection(
        routes=[
            Route("/retrain", view(ctx, page, Permission.TRAINING), methods=["GET"]),
            Route("/retrain/status.json", view(ctx, status, Permission.TRAINING), methods=["GET"]),
            Route("/retrain/start", action(ctx, start, Permission.TRAINING), methods=["POST"]),
            Route("/retrain/activate", action(ctx, activate, Permission.TRAINING), methods=["POST"]),
            *static_routes("retrain.css", "retrain.js"),
        ],
        nav=(NavEntry("retrain", "重新训练", "/retrain", Permission.TRAINING, order=40),),
    )
