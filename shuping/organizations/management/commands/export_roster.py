"""`shuping export-roster --output FILE [--code QW-01]`: the roster in the import layout."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuping.organizations.models import Organization
from shuping.organizations.roster_export import stream_roster


class Command(BaseCommand):
    help = "导出党组织和人员花名册（.xlsx，与导入模板格式相同）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, required=True)
        parser.add_argument("--code", default="", help="只导出该组织编码及其下级")

    def handle(self, *args: Any, **options: Any) -> None:
        root = None
        if options["code"]:
            root = Organization.objects.filter(code=options["code"]).first()
            if root is None:
                raise CommandError(f"组织编码不存在：{options['code']}")
        _, _, stream = stream_roster(root, viewer=None)
        with stream, Path(options["output"]).open("wb") as out:
            shutil.copyfileobj(stream, out)
        self.stdout.write(f"已导出到 {options['output']}")
