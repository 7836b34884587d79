"""The console's style sheet and script, shipped in the package (nothing from a CDN)."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hrbot.console.context import ConsoleContext
from hrbot.console.sections import ConsoleSection

STATIC_FILES = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}


def read_static_files() -> dict[str, bytes]:
    folder = resources.files("hrbot.console") / "static"
    found: dict[str, bytes] = {}
    for name in STATIC_FILES:
        try:
            found[name] = (folder / name).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(
                f"the console file static/{name} is missing from the hrbot package: reinstall hrbot "
                "(pyproject.toml's package-data must include console/static/* and console/templates/*)"
            ) from None
    return found


def static_section(ctx: ConsoleContext) -> ConsoleSection:
    files = read_static_files()

    def serve(name: str) -> Route:
        async def endpoint(request: Request) -> Response:
            return Response(files[name], media_type=STATIC_FILES[name], headers={"Cache-Control": "no-cache"})

        return Route(f"/static/{name}", endpoint, methods=["GET"])

    return ConsoleSection(routes=[serve(name) for name in STATIC_FILES])
