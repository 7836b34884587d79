"""How the console is put together: each area (login, inbox, transcripts, audit log,
accounts; later annotation, retraining, analytics) is a section — its routes and its entries in
the navigation — built from the shared context by a factory:

    def my_section(ctx: ConsoleContext) -> ConsoleSection:
        return ConsoleSection(
            routes=[Route("/annotate", view(ctx, annotate_page, Permission.ANNOTATION))],
            nav=(NavEntry("annotate", "标注", "/annotate", Permission.ANNOTATION, order=40),),
        )

and listed in `app.SECTIONS`. A navigation entry is shown only to users with its permission;
pages check the permission again on every request (`web.view` / `web.action`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from hrbot.console.roles import Permission

if TYPE_CHECKING:
    from hrbot.console.context import ConsoleContext


@dataclass(frozen=True)
class NavEntry:
    """A link in the console's header. `path` is relative to the console's root; the link is
    shown as the current page under `path` and under the `also` paths."""

    key: str
    title: str
    path: str
    permission: Permission
    order: int = 100
    also: tuple[str, ...] = ()

    def covers(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in (self.path, *self.also))


@dataclass(frozen=True)
class ConsoleSection:
    routes: Sequence[BaseRoute]
    nav: tuple[NavEntry, ...] = field(default_factory=tuple)


SectionFactory = Callable[["ConsoleContext"], ConsoleSection]
