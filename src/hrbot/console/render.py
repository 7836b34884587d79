"""Server-rendered pages: Jinja2 templates from this package's templates/ folder, every value
escaped (autoescape on for every template, undefined names are errors, not empty strings).

Pages extend `base.html` (header, navigation, notices); a new page adds its template here and
renders it with `Renderer.page`, which passes the layout's variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hrbot.console.transcript import reason_label
from hrbot.shared.clock import timezone
from hrbot.shared.errors import MissingDependencyError

if TYPE_CHECKING:
    import jinja2


def _environment() -> jinja2.Environment:
    try:
        import jinja2
    except ImportError:
        raise MissingDependencyError("jinja2", "the HR console's pages") from None
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("hrbot.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def waited(seconds: float) -> str:
    """A wait in words: 刚刚, 5 分钟, 1 小时 20 分钟, 2 天."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "刚刚"
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    return f"{hours // 24} 天"


class Renderer:
    """The console's template environment; times are shown in `zone`."""

    def __init__(self, zone: str) -> None:
        self.zone = timezone(zone)
        self.environment = _environment()
        self.environment.filters["clock"] = self.clock
        self.environment.filters["waited"] = waited
        self.environment.filters["reason"] = reason_label
        self.environment.filters["urlpart"] = lambda value: quote(str(value), safe="")
        self.environment.filters["percent"] = lambda value: "" if value is None else f"{float(value):.0%}"

    def clock(self, timestamp: float | None, with_date: bool = True) -> str:
        """A timestamp as the console shows it: 11-21 10:05:03."""
        if timestamp is None:
            return ""
        moment = datetime.fromtimestamp(float(timestamp), self.zone)
        return moment.strftime("%m-%d %H:%M:%S" if with_date else "%H:%M:%S")

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        return self.environment.get_template(template).render(**context)
