from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from shuping.accounts.access import get_organization_for, visible_organizations
from shuping.accounts.models import RoleGrant
from shuping.audit.models import AuditEntry
from shuping.organizations import demo
from shuping.organizations.models import MembershipPeriod, Organization, Person


def _counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        Person.objects.count(),
        MembershipPeriod.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        AuditEntry.objects.count(),
        Person.objects.filter(user__isnull=False).count(),
    )


@pytest.mark.django_db
def test_demo_follows_the_contract_and_is_idempotent():
    logins = demo.load(lambda line: None, scale=0.15)
    names = [u for u, _ in logins]
    assert names == [
        "admin",
        "zuzhibu",
        "quwei",
        "shangji",
        "jiedao",
        "jiedaoshuji",
        "gongwei",
        "shuji01",
        "shuji02",
        "shuji03",
        "shuji04",
        "shuji05",
    ]
    root = Organization.objects.get(code="QW")
    assert root.name == "西山区委" and root.kind == "district"
    committees = Organization.objects.filter(parent=root)
    assert committees.count() == 15
    sectors = set(committees.values_list("sector", flat=True))
    assert {
        "street",
        "organ",
        "school",
        "rural",
        "soe",
        "medical",
        "non_public",
        "social",
    } <= sectors
    jd = Organization.objects.get(code="QW-01")
    assert jd.name == "金顶街道党工委"
    below = Organization.objects.filter(jd.subtree_q())
    assert {"committee", "general_branch", "branch"} <= set(below.values_list("kind", flat=True))
    assert below.filter(is_retiree_branch=True).exists()
    assert below.filter(sector__in=["non_public", "social"]).exists()
    for i, org in enumerate(demo.demo_reporter_orgs("QW-01"), start=1):
        user = User.objects.get(username=f"shuji{i:02d}")
        assert org.secretary is not None and org.secretary.user == user
        assert get_organization_for(user, org.pk) == org
    gongwei = User.objects.get(username="gongwei")
    assert all(
        o.path.startswith(Organization.objects.get(code="QW-08").path)
        for o in visible_organizations(gongwei)
    )

    before = _counts()
    assert demo.load(lambda line: None, scale=0.15) == logins
    assert _counts() == before
