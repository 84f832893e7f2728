from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuping.reports"
    verbose_name = "述职报告"

    def ready(self) -> None:
        from shuping.meetings.prefill import register_critique_provider
        from shuping.reports.prefill import report_problems

        register_critique_provider("reports.problems", report_problems)
