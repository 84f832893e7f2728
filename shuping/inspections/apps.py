from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shuping.inspections"
    verbose_name = "督查调研"

    def ready(self) -> None:
        from shuping.inspections.audit_labels import register_audit_labels

        register_audit_labels()
        from shuping.inspections.prefill import inspection_problems
        from shuping.meetings.prefill import register_critique_provider

        register_critique_provider("inspections.problems", inspection_problems)
