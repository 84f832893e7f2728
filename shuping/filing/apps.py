from __future__ import annotations

from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "shuping.filing"
    label = "filing"
    verbose_name = "备案与归档"

    def ready(self) -> None:
        from shuping.filing.audit_labels import register_audit_labels

        register_audit_labels()
        from shuping.filing.carryover import (
            last_evaluation,
            last_filing,
            last_grades,
            open_rectification,
            recurring_problems,
        )
        from shuping.rounds.carryover import register_carryover_provider

        register_carryover_provider("filing.last_grades", last_grades)
        register_carryover_provider("filing.last_evaluation", last_evaluation)
        register_carryover_provider("filing.open_rectification", open_rectification)
        register_carryover_provider("filing.recurring_problems", recurring_problems)
        register_carryover_provider("filing.last_filing", last_filing)
