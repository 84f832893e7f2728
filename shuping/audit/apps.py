from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shuping.audit"
    verbose_name = "操作日志"

    def ready(self) -> None:
        from shuping.audit.stage_labels import register_stage_labels

        register_stage_labels()
