"""Small helpers the page views of several apps share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.http import HttpResponse

from shuping.lib.errors import DomainError


def download(result: tuple[str, str, bytes]) -> HttpResponse:
    """An exporter's (filename, content type, bytes) as an attachment with a UTF-8 name."""
    name, ctype, data = result
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def apply_to_form(form: forms.Form, action: Callable[[], Any]) -> bool:
    """Run a service; put a DomainError on the field it names (or on the form)."""
    try:
        action()
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True
