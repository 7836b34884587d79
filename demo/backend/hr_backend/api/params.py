"""Reading query parameters and body fields, with errors that name the field and the bad value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from hr_backend.clock import to_company_time
from hr_backend.errors import invalid

JSON = dict[str, Any]


def _date(field: str, value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, f"{field} 须为日期 YYYY-MM-DD,收到 {value!r}") from None


def _datetime(field: str, value: Any) -> datetime:
    try:
        return to_company_time(datetime.fromisoformat(str(value)))
    except ValueError:
        raise invalid(field, f"{field} 须为时间 YYYY-MM-DDTHH:MM[+08:00],收到 {value!r}") from None


def query_date(query: Mapping[str, str], name: str) -> date | None:
    value = query.get(name)
    return None if value in (None, "") else _date(name, value)


def query_datetime(query: Mapping[str, str], name: str) -> datetime:
    """A required date-time query parameter."""
    value = query.get(name)
    if value in (None, ""):
        raise invalid(name, f"缺少查询参数 {name}(时间 YYYY-MM-DDTHH:MM)")
    return _datetime(name, value)


def query_month(query: Mapping[str, str], name: str = "month") -> str | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    _date(name, f"{value}-01")
    if len(str(value)) != 7:
        raise invalid(name, f"{name} 须为月份 YYYY-MM,收到 {value!r}")
    return str(value)


def query_int(query: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    value = query.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise invalid(name, f"{name} 须为整数,收到 {value!r}") from None
    if number < minimum:
        raise invalid(name, f"{name} 不能小于{minimum},收到 {number}")
    return number


def query_choice(
    query: Mapping[str, str], name: str, choices: tuple[str, ...] | Mapping[str, Any]
) -> str | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise invalid(name, f"{name} 须为 {', '.join(choices)} 之一,收到 {value!r}")
    return str(value)


class Body:
    """The fields of a JSON request body; remembers which fields were read (see ``finish``)."""

    def __init__(self, body: JSON | None) -> None:
        self._body = body or {}
        self.fields_read: set[str] = set()

    def _get(self, name: str, default: Any = None) -> Any:
        self.fields_read.add(name)
        return self._body.get(name, default)

    def finish(self) -> None:
        """Reject fields the reader did not ask for (a typo would otherwise be silently ignored)."""
        unknown = sorted(set(self._body) - self.fields_read)
        if unknown:
            raise invalid(
                unknown[0],
                f"不认识的字段:{', '.join(unknown)};可用字段:{', '.join(sorted(self.fields_read))}",
            )

    def has(self, name: str) -> bool:
        return self._get(name) is not None

    def text(self, name: str, *, required: bool = False, default: str = "", max_length: int = 500) -> str:
        value = self._get(name)
        if value is None or value == "":
            if required:
                raise invalid(name, f"缺少字段 {name}")
            return default
        if not isinstance(value, str):
            raise invalid(name, f"{name} 须为字符串,收到 {value!r}")
        if len(value) > max_length:
            raise invalid(name, f"{name} 不能超过{max_length}个字符")
        return value.strip()

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if self.has(name) else None

    def choice(self, name: str, choices: Mapping[str, Any]) -> str | None:
        value = self.text(name)
        if not value:
            return None
        return self.required_choice(name, choices)

    def required_choice(self, name: str, choices: Mapping[str, Any]) -> str:
        value = self.text(name, required=True)
        if value not in choices:
            raise invalid(name, f"{name} 须为 {', '.join(choices)} 之一,收到 {value!r}")
        return value

    def day(self, name: str) -> date | None:
        value = self._get(name)
        return None if value is None else _date(name, value)

    def required_day(self, name: str) -> date:
        value = self._get(name)
        if value is None:
            raise invalid(name, f"缺少字段 {name}(日期 YYYY-MM-DD)")
        return _date(name, value)

    def moment(self, name: str) -> datetime:
        value = self._get(name)
        if value is None:
            raise invalid(name, f"缺少字段 {name}(时间 YYYY-MM-DDTHH:MM)")
        return _datetime(name, value)

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self._get(name)
        if value is None:
            if required:
                raise invalid(name, f"缺少字段 {name}(数字)")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(name, f"{name} 须为数字,收到 {value!r}")
        return float(value)

    def positive_number(self, name: str) -> float:
        value = self.number(name, required=True)
        if value is None or value <= 0:
            raise invalid(name, f"{name} 须大于0,收到 {value!r}")
        return value

    def integer(self, name: str, *, default: int, minimum: int = 1, maximum: int = 1000) -> int:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise invalid(name, f"{name} 须为{minimum}到{maximum}之间的整数,收到 {value!r}")
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name, False)
        if not isinstance(value, bool):
            raise invalid(name, f"{name} 须为 true 或 false,收到 {value!r}")
        return value

    def id_list(self, name: str) -> list[str]:
        value = self._get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid(name, f'{name} 须为工号列表,例如 ["E1001"]')
        return list(dict.fromkeys(value))
