"""The booklet (述职材料汇编) for a meeting: cover, contents, reports in speaking order."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from docx import Document

from shuping.conftest import Cast
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.organizations.services import create_organization
from shuping.reports import export, services
from shuping.reports.models import DutyReport
from shuping.reports.samples import load_sample, make_png
from shuping.rounds.models import Campaign, Reporter


@pytest.fixture
def meeting(campaign: Campaign, cast: Cast) -> Meeting:
    m = Meeting.objects.create(campaign=campaign, kind="committee", title="2026年度党建述职评议会")
    # speaking order is the reverse of the reporters' order in the round
    reps = list(Reporter.objects.filter(campaign=campaign).order_by("order"))
    for i, rep in enumerate(reversed(reps), start=1):
        MeetingReporter.objects.create(meeting=m, reporter=rep, order=i)
    return m


def _fill(campaign: Campaign, cast: Cast) -> None:
    for rep in Reporter.objects.filter(campaign=campaign):
        report = services.open_report(rep, actor=cast.organizer)
        report.sections = load_sample("003_good")
        report.state = "submitted"
        report.save(update_fields=["sections", "state"])


def _keep(name: str, data: bytes) -> None:
    where = os.environ.get("SHUPING_KEEP_EXPORTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        (Path(where) / name).write_bytes(data)


def test_booklet_order_toc_and_page_numbers(
    meeting: Meeting, campaign: Campaign, cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    _fill(campaign, cast)
    first_speaker = meeting.agenda.order_by("order").first().reporter  # type: ignore[union-attr]
    case = services.save_case(
        first_speaker,
        actor=cast.organizer,
        data={
            "title": "楼宇党建驿站",
            "background": "问题。",
            "measures": "做法。",
            "results": "成效。",
        },
    )
    services.add_attachment(
        first_speaker,
        actor=cast.organizer,
        kind="picture",
        data=make_png(),
        case=case,
        caption="驿站揭牌",
    )
    name, ctype, data = export.export_booklet(meeting, unapproved=export.Unapproved.MARK)
    _keep("booklet.docx", data)
    assert name.endswith("述职材料汇编.docx") and ctype == export.DOCX
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert "述职材料汇编" in texts and "目　　录" in texts
    body = doc.element.body.xml
    assert 'TOC \\o "1-1"' in body  # a real TOC field…
    toc_lines = [t for t in texts if "\t" in t]  # …whose cached result is our static list
    assert len(toc_lines) == 3
    assert toc_lines[0].startswith("甲社区第一党支部书记")  # speaking order, not round order
    assert toc_lines[0].endswith("\t1")
    assert toc_lines[1].strip().startswith("甲社区第一党支部创新案例：楼宇党建驿站")
    assert toc_lines[2].startswith("甲街道第二党支部书记 王建国")
    pages = [int(t.rsplit("\t", 1)[1]) for t in toc_lines]
    assert pages == sorted(pages) and pages[1] == 1 + export.report_pages(
        services.DutyReport.objects.get(reporter=first_speaker), campaign.parsed_rules.report
    )
    # the cover section has no page numbers; the reports' section restarts at 1
    assert len(doc.sections) == 2
    assert 'w:start="1"' in doc.sections[1]._sectPr.xml
    assert "PAGE" in doc.sections[1].footer.paragraphs[0]._p.xml
    assert doc.sections[1].even_page_footer.paragraphs[0].alignment == 0  # left
    titles = [t for t in texts if t.endswith("述职报告") or t.endswith("创新案例")]
    assert len(titles) == 3
    assert len(doc.inline_shapes) == 1


def test_booklet_zip(meeting: Meeting, campaign: Campaign, cast: Cast) -> None:
    _fill(campaign, cast)
    name, ctype, data = export.export_booklet_zip(meeting, unapproved=export.Unapproved.MARK)
    assert ctype == export.ZIP and name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names[0].startswith("00_") and names[0].endswith("述职材料汇编.docx")
        assert names[1] == "01_甲社区第一党支部述职报告.docx"
        assert names[2] == "02_甲街道第二党支部述职报告.docx"
        Document(io.BytesIO(zf.read(names[1])))


def test_booklet_query_count(
    meeting: Meeting, campaign: Campaign, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    _fill(campaign, cast)
    # more reporters must not mean more queries
    for i in range(5):
        org = create_organization(
            actor=None,
            parent=cast.street,
            code=f"X{i}",
            name=f"测试第{i}支部",
            kind="branch",
            sector="street",
        )
        rep = Reporter.objects.create(campaign=campaign, organization=org, order=10 + i)
        r = services.open_report(rep, actor=cast.organizer)
        DutyReport.objects.filter(pk=r.pk).update(state="approved")
        MeetingReporter.objects.create(meeting=meeting, reporter=rep, order=10 + i)
    meeting = Meeting.objects.select_related("campaign__committee").get(pk=meeting.pk)
    with django_assert_max_num_queries(4):
        export.export_booklet(meeting)


def test_drafts_stay_out_of_the_booklet(meeting: Meeting, campaign: Campaign, cast: Cast) -> None:
    _fill(campaign, cast)
    DutyReport.objects.filter(reporter__organization=cast.branch).update(state="draft")
    entries = export.booklet_entries(meeting, unapproved=export.Unapproved.MARK)
    # the submitted one is in, marked as still under review
    assert [e.label for e in entries] == ["甲社区第一党支部书记 （书记空缺）（审核中）"]
    c = Client()
    c.force_login(cast.organizer)
    html = c.get(f"/reports/meeting/{meeting.pk}/booklet/").content.decode()
    assert "尚未提交" in html and "甲街道第二党支部" in html
    assert Client().get(f"/reports/meeting/{meeting.pk}/booklet/").status_code == 302
    c.force_login(cast.outsider)
    assert c.get(f"/reports/meeting/{meeting.pk}/booklet/").status_code == 404


def test_empty_meeting_still_exports(campaign: Campaign) -> None:
    m = Meeting.objects.create(campaign=campaign, title="空会议")
    doc = Document(io.BytesIO(export.export_booklet(m)[2]))
    assert any("尚无述职材料" in p.text for p in doc.paragraphs)


def test_export_command(meeting: Meeting, campaign: Campaign, cast: Cast, tmp_path: Path) -> None:
    _fill(campaign, cast)
    report = services.DutyReport.objects.first()
    assert report is not None
    out = tmp_path / "r.docx"
    call_command("export", "report", str(report.pk), "--output", str(out))
    Document(str(out))
    out = tmp_path / "b.docx"
    call_command("export", "booklet", str(meeting.pk), "--output", str(out))
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "述职材料汇编" in texts and not any("审核中" in t for t in texts)
    call_command("export", "booklet", str(meeting.pk), "--output", str(out), "--unapproved", "mark")
    assert any("（审核中）" in p.text for p in Document(str(out)).paragraphs)
    out = tmp_path / "b.zip"
    call_command("export", "booklet", str(meeting.pk), "--output", str(out))
    assert zipfile.is_zipfile(out)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export", "report", "999999", "--output", str(tmp_path / "x.docx"))
