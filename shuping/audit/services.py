"""Writing the audit log. Call `record` inside the service's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User as AuthUser
from django.db import models

from shuping.audit.models import AuditEntry

if TYPE_CHECKING:
    from shuping.lib.types import Actor
    from shuping.organizations.models import Organization

# Never logged, whatever a caller passes: personal identifiers and ballot material.
SECRET_FIELDS = frozenset({"id_number", "phone", "password", "token", "token_hash", "key_hash"})


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `obj`, for a later `diff`."""
    return {f: _plain(getattr(obj, f)) for f in fields if f not in SECRET_FIELDS}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {
        f: [before.get(f), after.get(f)]
        for f in sorted(set(before) | set(after))
        if f not in SECRET_FIELDS and before.get(f) != after.get(f)
    }


def record(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    organization: Organization | None = None,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    label: str | None = None,
) -> AuditEntry:
    """Append one audit entry. `changes` is {field: [before, after]} or any plain dict."""
    user = actor if isinstance(actor, AuthUser) else None
    clean = {k: _plain(v) for k, v in (changes or {}).items() if k not in SECRET_FIELDS}
    return AuditEntry.objects.create(
        actor=user,
        actor_name=((user.get_full_name() or user.get_username()) if user else "系统"),
        action=action,
        organization=organization,
        org_path=organization.path if organization is not None else "",
        target_type=target._meta.label_lower,
        target_id=str(target.pk or ""),
        target_label=(label if label is not None else str(target))[:200],
        changes=clean,
        note=note,
    )
