from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "shuping.assessment"
    verbose_name = "综合评价"

    def ready(self) -> None:
        from shuping.assessment.audit_labels import register_audit_labels

        register_audit_labels()
