"""Numbers as the company writes them: 3 days, 2.5 days, 85.5 元."""

from __future__ import annotations


def plain(value: float) -> int | float:
    """``3.0`` -> ``3``; other values unchanged (rounded to 2 decimals)."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def text(value: float) -> str:
    """The number for a Chinese sentence: ``3``, ``2.5``, ``85.5``."""
    return str(plain(value))
