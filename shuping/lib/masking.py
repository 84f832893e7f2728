"""Masking of personal identifiers for lists, exports meant for display, and logs."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """110101199001011234 -> 110101********1234."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678."""
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
