from django.apps import AppConfig


class LibConfig(AppConfig):
    """Project-wide commands (serve, demo) and shared helpers (working-day calendar)."""

    name = "shuping.lib"
    label = "lib"
    verbose_name = "公共"
