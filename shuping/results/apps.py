from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "shuping.results"
    verbose_name = "结果运用与公开"

    def ready(self) -> None:
        from shuping.results.audit_labels import register_audit_labels

        register_audit_labels()
        from shuping.assessment.hooks import register_on_approved, register_on_reopened
        from shuping.rounds.reminders import register_reminder_source

        register_on_approved("results", _on_approved)
        register_on_reopened("results", _on_reopened)
        register_reminder_source("results", _remind)


def _on_approved(board: Any, *, actor: Any) -> None:
    from shuping.results import services, source

    campaign = board.campaign
    reporters = {r.pk: r for r in campaign.reporters.select_related("organization", "person")}
    results = [
        services.ResultInput(reporter=reporters[row.reporter_id], grade=row.grade)
        for row in source.approved(campaign)
    ]
    services.apply_approved(campaign, results, actor=actor)


def _on_reopened(assessment: Any, *, actor: Any, reason: str = "", **_: Any) -> None:
    from shuping.results import services

    services.apply_reopened(assessment.reporter, actor=actor, reason=reason or "等次复核")


def _remind(*, today: Any, days: int) -> int:
    from shuping.results.services import remind_overdue_tasks

    return remind_overdue_tasks(today=today, days=days)
