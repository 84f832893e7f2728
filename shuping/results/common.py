"""Locking, permission and input checks shared by the results service modules
(`services`, `publication`).
"""

from __future__ import annotations

from django.contrib.auth.models import User

from shuping.accounts.access import WRITE_ROLES, reaches
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.rounds.models import Campaign

MAX_TEXT = 5000


def quoted(title: str) -> str:
    """A document title inside a sentence, in 书名号 (《…》)."""
    return title if title.startswith("《") else f"《{title}》"


def actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def require_manage(actor: Actor, campaign: Campaign) -> None:
    if actor is None:
        return  # the system (demo loader, commands, the assessment hook)
    if not reaches(actor, campaign.committee, roles=WRITE_ROLES):
        raise PermissionDenied()


def lock_campaign(campaign: Campaign, *, actor: Actor) -> Campaign:
    locked = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("committee")
        .get(pk=campaign.pk)
    )
    require_manage(actor, locked)
    return locked


def check_text(
    value: str, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise DomainError(f"{label}不超过{limit}字。", field=field)
    return text


def move_state(
    table: dict[str, set[tuple[str, str]]], action: str, current: str, message: str
) -> str:
    for before, after in table[action]:
        if before == current:
            return after
    raise StateError(message)
