from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    ORGANIZER = "organizer", "组织员（党建办）"
    HOST = "host", "主持点评书记"
    REPORTER = "reporter", "述职书记"
    SUPERIOR = "superior", "上级党委"
    ADMIN = "admin", "系统管理员"


class RoleGrant(models.Model):
    """A role held at one node of the tree; it reaches that node's whole subtree
    (a reporter's grant reaches only the node itself)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所在组织",
        on_delete=models.CASCADE,
        related_name="role_grants",
    )

    class Meta:
        verbose_name = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"], name="rolegrant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """API bearer token; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.name}"


class LoginFailure(models.Model):
    """Failed login attempts, kept in the database so every server worker sees them."""

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "登录失败记录"

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.at:%Y-%m-%d %H:%M}"
