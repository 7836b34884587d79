"""Masking of personal identifiers (handbook 8.1): ID card, bank account, phone number.

330106198802014700   -> 330106********4700
6222292184111995661  -> 6222 **** **** 5661
13231514755          -> 132****4755
"""

from __future__ import annotations


def mask_id_card(value: str) -> str:
    """Keep the 6-digit region code and the last 4 characters."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_bank_account(value: str) -> str:
    """Keep the first and last 4 digits, in groups of four."""
    digits = value.replace(" ", "")
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_phone(value: str) -> str:
    """Keep the first 3 and the last 4 digits."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
