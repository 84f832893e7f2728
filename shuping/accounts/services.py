"""Accounts: role grants, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
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


def normalize_username(username: str) -> str:
    """The username as the login matches it — NFKC (full-width letters become ASCII, as
    Django's UsernameField does) and trimmed — and casefolded, so that no spelling of one
    account gets a fresh count of failures."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def _throttle_keys(username: str, address: str) -> dict[str, str]:
    name = normalize_username(username)

    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    return {
        "pair": key(f"pair|{name}|{address}"),
        "username": key(f"user|{name}"),
        "address": key(f"addr|{address}"),
    }


def _limits() -> dict[str, int]:
    return {
        "pair": settings.LOGIN_MAX_FAILURES,
        "username": settings.LOGIN_MAX_FAILURES_PER_USERNAME,
        "address": settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
    }


def login_locked(username: str, address: str) -> bool:
    """Locked when any count in the cool-down window reached its limit: this username
    from this address, this address over all usernames, this username from anywhere."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    keys = _throttle_keys(username, address)
    counts = dict(
        LoginFailure.objects.filter(key__in=keys.values(), at__gte=since)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    )
    limits = _limits()
    return any(counts.get(key, 0) >= limits[kind] for kind, key in keys.items())


@transaction.atomic
def note_login_failure(username: str, address: str, *, locked: bool = False) -> None:
    """Count a failure under every key and write it to the audit log (never the password)."""
    keys = _throttle_keys(username, address)
    rows = LoginFailure.objects.bulk_create([LoginFailure(key=k) for k in keys.values()])
    name = normalize_username(username)
    user = User.objects.filter(username__iexact=name).first() if name else None
    record(
        actor=None,
        action="login.locked" if locked else "login.failed",
        target=user or rows[0],
        label=f"{name or '（空用户名）'} 来自 {address or '未知地址'}",
        changes={"address": address},
    )


@transaction.atomic
def note_login_success(user: AuthUser, address: str, *, username: str = "") -> None:
    LoginFailure.objects.filter(
        key=_throttle_keys(username or user.get_username(), address)["pair"]
    ).delete()
    record(
        actor=user,
        action="login",
        target=user,
        label=f"{user.get_username()} 来自 {address or '未知地址'}",
        changes={"address": address},
    )


def clear_login_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(key=_throttle_keys(username, address)["pair"]).delete()


@transaction.atomic
def change_password(user: AuthUser, *, actor: Actor, new_password: str) -> None:
    """Set a new password (validated by the form with Django's validators) and log it."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("只能修改自己的密码。")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(actor=actor, action="password.change", target=user, label=user.get_username())
