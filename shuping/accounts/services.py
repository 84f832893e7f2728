"""Accounts: role grants, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuping.accounts.access import is_admin
from shuping.accounts.models import ApiToken, LoginFailure, RoleGrant, hash_token
from shuping.audit.services import record
from shuping.lib.errors import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser

    from shuping.lib.types import Actor
    from shuping.organizations.models import Organization


@transaction.atomic
def grant_role(user: AuthUser, *, actor: Actor, role: str, organization: Organization) -> RoleGrant:
    """Give `user` a role at a node. Only system administrators hand out roles
    (or the system itself, actor=None)."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied()
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, organization=organization
    )
    if created:
        record(
            actor=actor,
            action="role.grant",
            target=grant,
            organization=organization,
            changes={"user": user.get_username(), "role": role},
        )
    return grant


@transaction.atomic
def create_api_token(user: AuthUser, *, actor: Actor, name: str = "") -> str:
    """Create a token for `user`; the raw value is returned once and never stored."""
    if actor is not None and actor.pk != user.pk and not is_admin(actor):
        raise PermissionDenied()
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw))
    record(actor=actor, action="token.create", target=token, label=f"{user.get_username()} {name}")
    return raw


def _throttle_key(username: str, address: str) -> str:
    return hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()


def login_locked(username: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    key = _throttle_key(username, address)
    return (
        LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.LOGIN_MAX_FAILURES
    )


def note_login_failure(username: str, address: str) -> None:
    LoginFailure.objects.create(key=_throttle_key(username, address))


def clear_login_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(key=_throttle_key(username, address)).delete()
