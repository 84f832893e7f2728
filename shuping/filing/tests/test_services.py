"""Filing services, called directly: checklist, uploads, blocking, submission, answers,
the archive they switch on, and the transition table as a matrix."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from shuping.audit.models import AuditEntry
from shuping.filing import services
from shuping.filing.models import TRANSITIONS, EntryState, FilingState, PackageStatus
from shuping.filing.tests.conftest import tiny_docx, tiny_pdf
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.rounds import reporters
from shuping.rounds import services as round_services
from shuping.rounds.testing import make_campaign, sample_rules

FILING_002 = {
    "filing": ["述职评议考核工作方案", "主持点评讲话", "述职评议表"],
    "filing_items": [
        {"title": "述职评议考核工作方案", "kind": "plan"},
        {"title": "主持点评讲话", "kind": "upload"},
        {"title": "述职评议表", "kind": "tally"},
    ],
    "filing_due": "+1-02-09",
    "filing_to": "市委直属机关工委",
}


@pytest.fixture
def campaign(cast):
    return make_campaign(
        cast.district, rules=sample_rules(**FILING_002), reporters=[cast.street, cast.organ]
    )


@pytest.fixture
def filing(campaign):
    return services.ensure_filing(campaign)


def states(filing):
    return [(row.entry.title, row.state) for row in services.checklist(filing)]


def test_checklist_follows_the_preset_in_order(filing):
    assert filing.filed_with == "市委直属机关工委"
    assert filing.due_on == date(2026, 2, 9)
    assert states(filing) == [
        ("述职评议考核工作方案", EntryState.READY),  # generated: the plan always exists
        ("主持点评讲话", EntryState.MISSING),  # uploaded by the office
        ("述职评议表", EntryState.MISSING),  # generated, but no closed ballot yet
    ]
    # idempotent
    assert services.ensure_filing(filing.campaign).entries.count() == 3


def test_missing_items_block_until_uploaded_or_excused(cast, filing):
    with pytest.raises(DomainError) as exc:
        services.submit_filing(filing, actor=cast.organizer)
    assert "主持点评讲话" in exc.value.message and "述职评议表" in exc.value.message
    speech, form = (row.entry for row in services.checklist(filing)[1:])
    services.upload_entry(speech, actor=cast.organizer, data=tiny_docx(), name="讲话.docx")
    services.excuse_entry(form, actor=cast.organizer, reason="测评表已随会议记录存档")
    assert [s for _, s in states(filing)] == [
        EntryState.READY,
        EntryState.READY,
        EntryState.EXCUSED,
    ]
    filing = services.submit_filing(filing, actor=cast.organizer, today=date(2026, 2, 9))
    assert filing.state == FilingState.SUBMITTED and not filing.is_late  # 2-09 is in time
    package = filing.packages.get()
    assert package.status == PackageStatus.DONE
    with zipfile.ZipFile(io.BytesIO(package.file.read())) as zf:
        names = zf.namelist()
    assert names == ["00_目录.docx", "01_述职评议考核工作方案.docx", "02_主持点评讲话.docx"]
    assert "未安装文档转换软件" in package.pdf_note
    entry = AuditEntry.objects.get(action="filing.submit")
    assert entry.changes["excused"] == {"述职评议表": "测评表已随会议记录存档"}


def test_late_submission_is_flagged(cast, filing):
    for row in services.checklist(filing)[1:]:
        services.excuse_entry(row.entry, actor=cast.organizer, reason="暂缺")
    filing = services.submit_filing(filing, actor=cast.organizer, today=date(2026, 2, 10))
    assert filing.is_late


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"just text", "只能上传"),
        (b"MZ\x90\x00" + b"x" * 100, "只能上传"),
    ],
)
def test_upload_checks_content(cast, filing, data, message):
    speech = services.checklist(filing)[1].entry
    with pytest.raises(DomainError) as exc:
        services.upload_entry(speech, actor=cast.organizer, data=data, name="a.docx")
    assert message in exc.value.message and exc.value.field == "file"


def test_upload_limit(cast, filing, monkeypatch):
    monkeypatch.setattr(services, "UPLOAD_MAX", 10)
    speech = services.checklist(filing)[1].entry
    with pytest.raises(DomainError, match="不能超过"):
        services.upload_entry(speech, actor=cast.organizer, data=tiny_pdf(), name="a.pdf")


def test_only_the_office_edits_and_only_the_superior_answers(cast, filing):
    speech = services.checklist(filing)[1].entry
    for who in (cast.superior, cast.host, cast.street_organizer):
        with pytest.raises(PermissionDenied):
            services.upload_entry(speech, actor=who, data=tiny_pdf(), name="a.pdf")
    for row in services.checklist(filing)[1:]:
        services.excuse_entry(row.entry, actor=cast.organizer, reason="暂缺")
    services.submit_filing(filing, actor=cast.organizer)
    with pytest.raises(PermissionDenied):
        services.acknowledge_filing(filing, actor=cast.organizer)  # never its own filing
    services.acknowledge_filing(filing, actor=cast.superior)


def test_street_round_is_answered_by_the_district_organizer(cast):
    campaign = make_campaign(cast.street, rules=sample_rules(filing=[]), reporters=[cast.branch])
    filing = services.ensure_filing(campaign)
    assert filing.filed_with == "示范区委"
    services.submit_filing(filing, actor=cast.street_organizer)
    with pytest.raises(PermissionDenied):
        services.acknowledge_filing(filing, actor=cast.street_organizer)
    with pytest.raises(PermissionDenied):
        services.acknowledge_filing(filing, actor=cast.outsider)
    assert services.acknowledge_filing(filing, actor=cast.organizer).state == "acknowledged"


def test_return_needs_a_reason_then_resubmission(cast, filing):
    for row in services.checklist(filing)[1:]:
        services.excuse_entry(row.entry, actor=cast.organizer, reason="暂缺")
    services.submit_filing(filing, actor=cast.organizer)
    with pytest.raises(DomainError) as exc:
        services.return_filing(filing, actor=cast.superior, reason="  ")
    assert exc.value.field == "reason"
    filing = services.return_filing(filing, actor=cast.superior, reason="缺主持点评讲话")
    assert filing.state == FilingState.RETURNED and filing.return_reason == "缺主持点评讲话"
    speech = services.checklist(filing)[1].entry
    services.upload_entry(speech, actor=cast.organizer, data=tiny_pdf(), name="讲话.pdf")
    assert services.submit_filing(filing, actor=cast.organizer).state == FilingState.SUBMITTED
    actions = list(
        AuditEntry.objects.filter(action__startswith="filing.").values_list("action", flat=True)
    )
    assert "filing.return" in actions and actions.count("filing.submit") == 2


def test_acknowledgement_archives_the_round_until_a_recorded_reopening(cast, filing):
    campaign = filing.campaign
    for row in services.checklist(filing)[1:]:
        services.excuse_entry(row.entry, actor=cast.organizer, reason="暂缺")
    services.submit_filing(filing, actor=cast.organizer)
    services.acknowledge_filing(filing, actor=cast.superior)
    campaign.refresh_from_db()
    assert campaign.archived_at is not None
    reporter = campaign.reporters.first()
    with pytest.raises(StateError, match="归档"):
        reporters.set_reporter_mode(reporter, actor=cast.organizer, mode="written", reason="x")
    with pytest.raises(StateError, match="归档"):
        round_services.change_status(campaign, actor=cast.organizer, to="closed")
    with pytest.raises(StateError):
        services.excuse_entry(services.checklist(filing)[1].entry, actor=cast.organizer, reason="")
    with pytest.raises(StateError):  # the package the superior received stays the package
        services.request_package(filing, actor=cast.organizer)
    with pytest.raises(DomainError):
        services.reopen_filing(filing, actor=cast.superior, reason="")
    with pytest.raises(PermissionDenied):
        services.reopen_filing(filing, actor=cast.organizer, reason="补充材料")
    services.reopen_filing(filing, actor=cast.superior, reason="补充材料")
    campaign.refresh_from_db()
    assert campaign.archived_at is None
    reporters.set_reporter_mode(reporter, actor=cast.organizer, mode="written", reason="调整")
    assert AuditEntry.objects.filter(action="campaign.reopen", note="补充材料").exists()


ALL = list(FilingState.values)


@pytest.mark.parametrize("before", ALL)
@pytest.mark.parametrize("after", ALL)
def test_transition_matrix(cast, filing, before, after):
    filing.state = before
    filing.save(update_fields=["state"])
    for row in services.checklist(filing)[1:]:
        row.entry.missing_reason = "暂缺"
        row.entry.save(update_fields=["missing_reason"])
    allowed = after in TRANSITIONS[before]
    moves = {
        FilingState.SUBMITTED: lambda: services.submit_filing(filing, actor=cast.organizer),
        FilingState.ACKNOWLEDGED: lambda: services.acknowledge_filing(filing, actor=cast.superior),
        FilingState.RETURNED: lambda: services.return_filing(
            filing, actor=cast.superior, reason="补"
        ),
        FilingState.DRAFT: lambda: services.reopen_filing(filing, actor=cast.superior, reason="改"),
    }
    if before == FilingState.ACKNOWLEDGED:
        round_services.archive_campaign(filing.campaign, actor=None)
    if allowed:
        assert moves[after]().state == after
    else:
        with pytest.raises(StateError):
            moves[after]()
