"""Type aliases shared by services and access helpers."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

# Whoever makes a request: a logged-in user or the anonymous one.
Viewer: TypeAlias = User | AnonymousUser
# Who performs a state change; None is the system itself (demo loader, commands).
Actor: TypeAlias = User | AnonymousUser | None
