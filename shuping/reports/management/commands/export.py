"""`shuping export report REPORT_ID --output FILE.docx`
`shuping export booklet MEETING_ID --output FILE.docx` (or FILE.zip for separate files)
`shuping export case CASE_ID --output FILE.docx`

Offices print in batches; this runs the same exporters as the pages, as the system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuping.reports import export
from shuping.reports.models import DutyReport, InnovationCase


class Command(BaseCommand):
    help = "导出述职报告、创新案例或述职材料汇编（Word）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, helptext in (
            ("report", "导出一份述职报告（正式格式）"),
            ("case", "导出一篇创新案例"),
            ("booklet", "导出一次会议的述职材料汇编；--output 以 .zip 结尾时分文件打包"),
        ):
            p = sub.add_parser(name, help=helptext)
            p.add_argument("id", type=int)
            p.add_argument("--output", "-o", required=True)
            p.add_argument(
                "--unapproved",
                choices=export.Unapproved.values,
                default=export.Unapproved.OMIT,
                help="审核中的报告：omit 不编入（默认），mark 编入并标注（审核中）",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        what, pk, output = options["what"], options["id"], Path(options["output"])
        if what == "report":
            report = DutyReport.objects.filter(pk=pk).first()
            if report is None:
                raise CommandError(f"述职报告 {pk} 不存在")
            name, _, data = export.export_report(report)
        elif what == "case":
            case = InnovationCase.objects.filter(pk=pk).first()
            if case is None:
                raise CommandError(f"创新案例 {pk} 不存在")
            name, _, data = export.export_case(case)
        else:
            from shuping.meetings.models import Meeting

            meeting = Meeting.objects.select_related("campaign__committee").filter(pk=pk).first()
            if meeting is None:
                raise CommandError(f"会议 {pk} 不存在")
            mode = export.Unapproved(options.get("unapproved") or export.Unapproved.OMIT)
            if output.suffix.lower() == ".zip":
                name, _, data = export.export_booklet_zip(meeting, unapproved=mode)
            else:
                name, _, data = export.export_booklet(meeting, unapproved=mode)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        self.stdout.write(f"{name} → {output}（{len(data)} 字节）")
