from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "shuping.rectification"
    verbose_name = "整改台账"

    def ready(self) -> None:
        from shuping.meetings.prefill import register_critique_provider
        from shuping.rectification import prefill, services
        from shuping.reports.services import register_previous_items_provider
        from shuping.rounds.reminders import register_reminder_source

        register_critique_provider("rectification.recurring", prefill.recurring_problems)
        register_previous_items_provider(
            "rectification.ledger", services.previous_rectification_items, priority=10
        )
        register_reminder_source(
            "rectification.overdue", lambda today: services.remind_overdue(today=today)
        )
