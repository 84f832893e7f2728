from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "shuping.rectification"
    verbose_name = "整改台账"

    def ready(self) -> None:
        from shuping.rectification.audit_labels import register_audit_labels

        register_audit_labels()
        from django.db.models.signals import post_save

        from shuping.meetings.prefill import register_critique_provider
        from shuping.rectification import prefill, services
        from shuping.reports.services import register_previous_items_provider
        from shuping.rounds.models import Campaign
        from shuping.rounds.reminders import register_reminder_source

        register_critique_provider("rectification.recurring", prefill.recurring_problems)
        register_previous_items_provider(
            "rectification.ledger", services.previous_rectification_items, priority=10
        )
        # a round that starts picks up last year's open items (rounds knows nothing of us)
        post_save.connect(
            services.carry_over_on_start, sender=Campaign, dispatch_uid="rectification.carry"
        )
        register_reminder_source(
            "rectification.overdue", lambda *, today, days: services.remind_overdue(today=today)
        )
