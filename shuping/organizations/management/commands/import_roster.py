"""`shuping import-roster FILE`: import a roster as the system; lists every bad row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import COMMAND_MAX_BYTES, COMMAND_MAX_ROWS, RosterInvalid


class Command(BaseCommand):
    help = "导入党组织和人员花名册（.xlsx）。有任何错误时不导入，并列出所有错误行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as-user", default="", help="以该用户身份导入（检查其权限）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if options["as_user"]:
            try:
                actor = User.objects.get(username=options["as_user"])
            except User.DoesNotExist:
                raise CommandError(f"用户不存在：{options['as_user']}") from None
        try:
            result = import_roster(
                path.read_bytes(),
                actor=actor,
                max_rows=COMMAND_MAX_ROWS,
                max_bytes=COMMAND_MAX_BYTES,
            )
        except RosterInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"花名册有 {len(exc.errors)} 处错误，未导入任何数据。") from None
        if result.changed:
            self.stdout.write("导入完成：" + result.summary())
        else:
            self.stdout.write("导入完成：与系统中的数据相同，没有变化。")
