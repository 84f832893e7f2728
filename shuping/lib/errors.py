"""Errors shared by every app.

Services raise these; pages turn them into form errors or messages and the API into
4xx JSON. Messages are Chinese because they reach the user unchanged.
"""

from __future__ import annotations

from django.http import Http404


class DomainError(Exception):
    """A business rule said no. `field` names the form field it concerns, if any."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class StateError(DomainError):
    """The object is in a state where this action is not allowed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="state")


class PermissionDenied(DomainError):
    """The actor may see the object but not do this to it."""

    def __init__(self, message: str = "您没有权限执行此操作。") -> None:
        super().__init__(message, code="forbidden")


class NotFound(Http404):
    """Missing and forbidden look the same from outside (zulip's access_stream_by_id)."""

    def __init__(self, message: str = "对象不存在或您无权访问。") -> None:
        super().__init__(message)
