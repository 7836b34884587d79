"""The style sheets and scripts of the review, retraining and analytics pages, shipped in the
package next to console.css/console.js (nothing from a CDN), each served by the section that
uses it."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def static_routes(*names: str) -> list[Route]:
    """GET /static/<name> for each of `names` (files of hrbot.console's static/ folder)."""
    folder = resources.files("hrbot.console") / "static"
    routes: list[Route] = []
    for name in names:
        try:
            body = (folder / name).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(
                f"the console file static/{name} is missing from the hrbot package: reinstall hrbot"
            ) from None
        media = MEDIA_TYPES[name[name.rindex("."):]]

        async def endpoint(request: Request, body: bytes = body, media: str = media) -> Response:
            return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

        routes.append(Route(f"/static/{name}", endpoint, methods=["GET"]))
    return routes
