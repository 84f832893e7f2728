"""Form pieces several apps share."""

from __future__ import annotations

from typing import Any

from django import forms


class IsoDateInput(forms.DateInput):
    """A native date picker. Browsers only accept ISO dates (`2027-01-01`) in
    `<input type="date">`; the zh-hans locale format (`2027/01/01`) would show an
    empty field and erase the date on the next save."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
