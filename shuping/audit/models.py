from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One state change made through a service: who, what, when, before/after.

    `org_path` copies the path of the organization the change concerns, so an
    organizer's log is one prefix query over their subtree.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, blank=True, default="")
    target_type = models.CharField("对象类型", max_length=64)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "操作日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["org_path"], name="audit_org_path_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_label}"
