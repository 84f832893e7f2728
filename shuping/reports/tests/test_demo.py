"""The demo step: reports in every state for 2026 rounds, idempotent."""

from __future__ import annotations

from shuping.conftest import Cast
from shuping.organizations.services import create_organization
from shuping.reports import demo
from shuping.reports.models import DutyReport, InnovationCase, ReportState
from shuping.reports.tests.conftest import rules_for_shape
from shuping.rounds.testing import make_campaign


def test_demo_without_2026_round_does_nothing(cast: Cast) -> None:
    lines: list[str] = []
    assert demo.load(lines.append) == []
    assert not DutyReport.objects.exists()


def test_demo_every_state_and_idempotent(cast: Cast) -> None:
    orgs = [
        create_organization(
            actor=None,
            parent=cast.street,
            code=f"Z{i}",
            name=f"演示第{i}支部",
            kind="branch",
            sector="street",
        )
        for i in range(12)
    ]
    make_campaign(cast.district, year=2026, reporters=orgs)
    make_campaign(cast.street, year=2026, rules=rules_for_shape("004"), reporters=orgs[:3])
    make_campaign(cast.organ, year=2026, rules=rules_for_shape("000"), reporters=orgs[3:5])
    lines: list[str] = []
    demo.load(lines.append)
    states = set(DutyReport.objects.values_list("state", flat=True))
    assert states == set(ReportState.values)
    assert DutyReport.objects.exclude(read_by_superior_at=None).exists()
    assert InnovationCase.objects.count() == 2
    assert all(c.pictures.count() == 2 for c in InnovationCase.objects.all())
    # 004 writes one report per meeting kind
    assert DutyReport.objects.filter(audience="members").count() == 3
    counts = (DutyReport.objects.count(), InnovationCase.objects.count())
    demo.load(lines.append)
    assert (DutyReport.objects.count(), InnovationCase.objects.count()) == counts
    assert not [line for line in lines if "停在草稿" in line]


def test_demo_report_texts_name_their_own_organization(cast: Cast) -> None:
    orgs = [
        create_organization(
            actor=None,
            parent=cast.street,
            code=f"Y{i}",
            name=f"示范第{i}社区党委",
            kind="committee",
            sector="street",
        )
        for i in range(3)
    ]
    make_campaign(cast.street, year=2026, rules=rules_for_shape("004"), reporters=orgs)
    demo.load(lambda _: None)
    for report in DutyReport.objects.select_related("reporter__organization"):
        text = "".join(report.sections.values())
        assert "金鑫社区党委书记" not in text  # the sample's own community
        assert report.reporter.organization.name in text
