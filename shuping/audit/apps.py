from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The log itself; each app registers the words for its actions in its own
    `AppConfig.ready()` (see labels.py), so the audit app imports none of them."""

    name = "shuping.audit"
    verbose_name = "操作日志"
