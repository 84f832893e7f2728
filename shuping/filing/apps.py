from __future__ import annotations

from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "shuping.filing"
    label = "filing"
    verbose_name = "备案与归档"
