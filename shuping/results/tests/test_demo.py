"""The demo step: published results, open tasks, a 公示 in progress; idempotent."""

from __future__ import annotations

import pytest

from shuping.conftest import Cast
from shuping.organizations.models import OrgKind, Sector
from shuping.organizations.services import create_organization, create_person
from shuping.results import demo
from shuping.results.models import (
    Announcement,
    ConsequenceTask,
    NoticeState,
    PublicNotice,
    ResultRecord,
    TaskState,
)

pytestmark = pytest.mark.django_db


def test_demo_without_the_street_does_nothing(cast: Cast) -> None:
    lines: list[str] = []
    assert demo.load(lines.append) == []
    assert not ResultRecord.objects.exists()


def test_demo_results_and_idempotent(cast: Cast) -> None:
    street = create_organization(
        actor=None,
        parent=cast.district,
        code="QW-07",
        name="五里坨街道党工委",
        kind=OrgKind.WORKING,
        sector=Sector.STREET,
    )
    for i in range(4):
        org = create_organization(
            actor=None,
            parent=street,
            code=f"QW-07-{i}",
            name=f"金顶第{i + 1}党支部",
            kind=OrgKind.BRANCH,
            sector=Sector.STREET,
        )
        person = create_person(actor=None, organization=org, name=f"书记{i}", gender="M")
        org.secretary = person
        org.save(update_fields=["secretary"])
    lines: list[str] = []
    demo.load(lines.append)
    latest = ResultRecord.objects.filter(year=2025)
    assert latest.count() == 4 and ResultRecord.objects.filter(year=2024).count() == 4
    assert ConsequenceTask.objects.filter(campaign__year=2025, state=TaskState.OPEN).exists()
    handling = ConsequenceTask.objects.get(kind="org_handling")
    assert "2024年度" in handling.reason and "2025年度" in handling.reason
    assert ConsequenceTask.objects.filter(campaign__year=2025, state=TaskState.DONE).count() == 1
    assert not ConsequenceTask.objects.filter(campaign__year=2024, state=TaskState.OPEN).exists()
    assert Announcement.objects.get().state == "issued"
    notice = PublicNotice.objects.get()
    assert notice.state == NoticeState.OPEN and notice.objections.count() == 1
    counts = (ResultRecord.objects.count(), ConsequenceTask.objects.count())
    demo.load(lines.append)
    assert (ResultRecord.objects.count(), ConsequenceTask.objects.count()) == counts
    assert PublicNotice.objects.count() == 1
