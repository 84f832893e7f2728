"""The demo step on the test cast: each grading style graded, and idempotent."""

from __future__ import annotations

from shuping.assessment import demo
from shuping.assessment.models import AssessmentBoard, BoardState
from shuping.assessment.testing import close_with_counts
from shuping.assessment.tests.conftest import make_round
from shuping.conftest import Cast
from shuping.inspections import demo as inspections_demo
from shuping.inspections.models import Inspection
from shuping.organizations.models import Organization
from shuping.organizations.services import create_person
from shuping.rounds.models import Campaign
from shuping.rounds.testing import make_campaign


def test_demo_does_nothing_without_rounds(db: object) -> None:
    lines: list[str] = []
    assert demo.load(lines.append) == [] and inspections_demo.load(lines.append) == []
    assert not AssessmentBoard.objects.exists() and lines == []


def test_demo_grades_each_style_once(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.district.pk).update(code="QW")
    Organization.objects.filter(pk=cast.street.pk).update(code="QW-01")
    district, meetings = make_round(cast)
    reps = list(district.reporters.order_by("order"))
    close_with_counts(meetings["committee"], {r.pk: {"好": 8, "较好": 2} for r in reps})
    secretary = create_person(actor=None, organization=cast.organ_branch, name="赵书记", gender="F")
    Organization.objects.filter(pk=cast.organ_branch.pk).update(secretary=secretary)
    later = make_campaign(cast.organ, year=2026, reporters=[cast.organ_branch])
    Campaign.objects.filter(pk=later.pk).update(preset_key="002_shichang_jianguan")
    lines: list[str] = []
    inspections_demo.load(lines.append)
    demo.load(lines.append)
    boards = {b.campaign.preset_key: b for b in AssessmentBoard.objects.select_related("campaign")}
    assert boards["test"].state == BoardState.APPROVED
    assert boards["002_shichang_jianguan"].state == BoardState.PROPOSED
    assert boards["004_jiedao_shuangshu"].state == BoardState.PROPOSED
    caught = boards["002_shichang_jianguan"].items.get()
    assert caught.grade == "差" and "超过10%" in str(caught.trace)
    assert Inspection.objects.count() == 3
    count = len(lines)
    inspections_demo.load(lines.append)
    demo.load(lines.append)
    assert len(lines) == count and Inspection.objects.count() == 3
