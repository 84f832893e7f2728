"""`shuping presets`: every preset, one line each (key, title, seed file it reproduces)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuping.rounds.models import Preset
from shuping.rounds.presets import shipped_presets


class Command(BaseCommand):
    help = "列出全部方案模板（代号、名称、依据文件）"

    def handle(self, *args: Any, **options: Any) -> None:
        for preset in shipped_presets().values():
            self.stdout.write(f"{preset.key}\t{preset.title}\t{preset.seed}")
        for office in Preset.objects.select_related("committee").prefetch_related("versions"):
            latest = max((v.number for v in office.versions.all()), default=0)
            based = f"（复制自 {office.based_on}）" if office.based_on else ""
            self.stdout.write(
                f"{office.key}\t{office.title}（{office.committee.name}，第{latest}版）{based}"
                f"\t{office.seed_file or '-'}"
            )
