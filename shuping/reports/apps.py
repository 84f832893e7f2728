from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuping.reports"
    verbose_name = "述职报告"

    def ready(self) -> None:
        from shuping.meetings.prefill import register_critique_provider
        from shuping.reports.checks import length_page_conflict
        from shuping.reports.prefill import report_problems
        from shuping.rounds.notes import register_plan_note_provider

        register_critique_provider("reports.problems", report_problems)
        register_plan_note_provider("reports.pages", length_page_conflict)
