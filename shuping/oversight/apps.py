from __future__ import annotations

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "shuping.oversight"
    label = "oversight"
    verbose_name = "督导"
