"""`shuping remind`: daily deadline reminders; safe to run any number of times."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from shuping.rounds.deadlines import remind
from shuping.rounds.reminders import run_reminder_sources


class Command(BaseCommand):
    help = "为即将到期和已逾期的时间节点生成提醒（可重复运行，不会重复提醒）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--days", type=int, default=3, help="提前几天提醒，默认 3")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date.fromisoformat(options["date"]) if options["date"] else None
        created = remind(today=today, days=options["days"])
        # the stages above (overdue consequence tasks and rectification items, 公示 that ended …)
        created += run_reminder_sources(today=today or timezone.localdate(), days=options["days"])
        self.stdout.write(f"新提醒 {created} 条")
