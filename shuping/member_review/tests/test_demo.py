from __future__ import annotations

from shuping.conftest import Cast
from shuping.member_review import demo
from shuping.member_review.models import MemberReview, Stage
from shuping.member_review.tests.conftest import add_members, rules_000
from shuping.organizations.models import Organization, OrgKind, Sector
from shuping.organizations.services import create_organization
from shuping.rounds.testing import make_campaign


def test_demo_does_nothing_without_the_round(db: object) -> None:
    lines: list[str] = []
    assert demo.load(lines.append) == [] and lines == []


def test_demo_puts_branches_in_every_stage_and_is_idempotent(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.organ.pk).update(code="QW-08")
    organ = Organization.objects.get(pk=cast.organ.pk)
    branches = [cast.organ_branch] + [
        create_organization(
            actor=None,
            parent=organ,
            code=f"O1B{i}",
            name=f"乙机关第{i}党支部",
            kind=OrgKind.BRANCH,
            sector=Sector.ORGAN,
        )
        for i in range(2, 9)
    ]
    for b in branches:
        add_members(b, 6, prefix=b.name[:4])
    campaign = make_campaign(organ, year=2026, rules=rules_000())
    campaign.preset_key = "000_shizong_jiguan"
    campaign.save(update_fields=["preset_key"])
    lines: list[str] = []
    logins = demo.load(lines.append)
    stages = set(MemberReview.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert [u for u, _ in logins] == ["zhibu"]
    assert any("/mr/l/" in line for line in lines) and any("/b/" in line for line in lines)
    count = MemberReview.objects.count()
    assert demo.load(lines.append) == [] and MemberReview.objects.count() == count
