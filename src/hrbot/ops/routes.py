"""The operations endpoints of the bot server:

    GET /health/live    200 while the process serves requests (restart it when this fails)
    GET /health/ready   200 when the model, tracker store, lock store and action server are
                        usable, else 503; the body has each check's status
    GET /metrics        Prometheus text format (see hrbot.ops.metrics)

None of them needs a token: keep them off the public side of the reverse proxy (docs/deploy.md)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrbot.api.common import ServerState
from hrbot.ops.instrument import observe_processor
from hrbot.ops.metrics import BotMetrics
from hrbot.ops.readiness import DEFAULT_TIMEOUT_SECONDS, ReadinessProbe, readiness_probe
from hrbot.shared.endpoints import EndpointConfig


@dataclass(frozen=True)
class Operations:
    """The metrics one app collects and the readiness checks it runs."""

    metrics: BotMetrics
    readiness: ReadinessProbe


def operations(
    state: ServerState,
    *,
    action_endpoint: EndpointConfig | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Operations:
    """New metrics for the app serving `state`, attached to its processor (once per app), and
    its readiness checks; `action_endpoint` is endpoints.yml's `action_endpoint` section."""
    metrics = BotMetrics()
    if state.assistant is not None and state.assistant.processor is not None:
        observe_processor(state.assistant.processor, metrics)
    url = action_endpoint.url if action_endpoint is not None else None
    return Operations(metrics, readiness_probe(state, action_server_url=url, timeout=timeout))


def ops_routes(state: ServerState, ops: Operations | None = None) -> list[Route]:
    """`/health/live`, `/health/ready` and `/metrics` for `state` (with `operations(state)` when
    `ops` is not given)."""
    found = ops if ops is not None else operations(state)

    async def live(request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def ready(request: Request) -> Response:
        readiness = await found.readiness.run()
        return JSONResponse(readiness.to_dict(), status_code=200 if readiness.ready else 503,
                            headers={"cache-control": "no-store"})

    async def metrics(request: Request) -> Response:
        return Response(found.metrics.render(), media_type=found.metrics.content_type)

    return [
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
