"""Demo rounds (see shuping/demo.py): relies only on the demo contract.

- the district (QW) 2025 round from preset 003, closed — history for the on-site rotation;
- its 2026 round, active, requiring sub-rounds;
- QW-01's 2026 round from preset 004 (双述双评), a sub-round of the district's, active,
  its plan filed and acknowledged and a meeting plan filed;
- another child committee following the district's rules (比照), plan filed, not yet
  acknowledged;
- rounds from presets 000 (区直机关工委), 001 (农工委) and 002 (a committee with two
  branches), so every preset appears.
Every step looks first and creates only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db.models import Count, Q

from shuping.accounts.models import Role, RoleGrant
from shuping.organizations.models import Organization, OrgKind, Sector
from shuping.rounds import services, sub_rounds
from shuping.rounds.models import Campaign, CampaignStatus, FilingKind

DISTRICT_PLACES = 8  # on-site places a year at the district level in the demo


def _round(
    committee: Organization,
    year: int,
    preset: str,
    out: Callable[[str], None],
    *,
    status: str = CampaignStatus.ACTIVE,
    **kwargs: object,
) -> Campaign:
    existing = Campaign.objects.filter(committee=committee, year=year).first()
    if existing is not None:
        return existing
    campaign = services.create_campaign(
        committee,
        actor=None,
        preset=preset,
        year=year,
        sampling_seed=year,
        **kwargs,  # type: ignore[arg-type]
    )
    _advance(campaign, status)
    out(f"方案：{campaign.title}（{campaign.reporters.count()} 名述职对象）")
    return campaign


def _advance(campaign: Campaign, status: str) -> None:
    path: list[str] = [CampaignStatus.ACTIVE, CampaignStatus.CLOSED]
    for step in path[: path.index(status) + 1] if status in path else []:
        if campaign.status != step:
            services.change_status(campaign, actor=None, to=step)


def _organizer_org(username: str) -> Organization | None:
    grant = (
        RoleGrant.objects.filter(user__username=username, role=Role.ORGANIZER)
        .select_related("organization")
        .first()
    )
    return grant.organization if grant else None


def _child(district: Organization, **filters: object) -> Organization | None:
    return (
        Organization.objects.filter(parent=district, is_active=True, **filters)
        .order_by("sort_order", "path")
        .first()
    )


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    district = Organization.objects.filter(code="QW").first()
    if district is None:
        out("未找到区委（QW），跳过方案演示数据。")
        return []
    _round(
        district,
        2025,
        "003_quwei_liangji",
        out,
        status=CampaignStatus.CLOSED,
        onsite_places=DISTRICT_PLACES,
    )
    current = _round(
        district,
        2026,
        "003_quwei_liangji",
        out,
        onsite_places=DISTRICT_PLACES,
        requires_sub_rounds=True,
    )

    street = Organization.objects.filter(code="QW-01").first()
    jiedao = User.objects.filter(username="jiedao").first()
    if street is not None and not Campaign.objects.filter(committee=street, year=2026).exists():
        (sub,) = sub_rounds.create_sub_campaigns(
            current, actor=None, committees=[street], preset="004_jiedao_shuangshu"
        )
        _advance(sub, CampaignStatus.ACTIVE)
        filing = sub_rounds.file_plan(sub, actor=jiedao, note="双述双评工作方案")
        sub_rounds.acknowledge_filing(filing, actor=None)
        sub_rounds.file_plan(
            sub,
            actor=jiedao,
            kind=FilingKind.MEETING_PLAN,
            meeting_on=sub.deadlines.get(key="members_meeting").due_on,
            note="党员大会述职评议会议方案",
        )
        out(f"下级方案：{sub.title}（已备案）")

    school = _child(district, sector=Sector.SCHOOL)
    if school is not None and not Campaign.objects.filter(committee=school, year=2026).exists():
        (follow,) = sub_rounds.create_sub_campaigns(current, actor=None, committees=[school])
        sub_rounds.file_plan(follow, actor=None, note="比照区委做法制定的工作方案")
        out(f"下级方案：{follow.title}（待确认备案）")

    organ = _organizer_org("gongwei") or _child(district, sector=Sector.ORGAN, kind=OrgKind.WORKING)
    if organ is not None:
        _round(organ, 2026, "000_shizong_jiguan", out)
    rural = _child(district, sector=Sector.RURAL)
    if rural is not None:
        _round(rural, 2026, "001_zhen_dangwei", out)
    two = (
        Organization.objects.filter(Q(path__startswith=district.path), is_active=True)
        .exclude(pk=district.pk)
        .annotate(branches=Count("children", filter=Q(children__kind=OrgKind.BRANCH)))
        .filter(branches=2)
        .exclude(campaigns__year=2026)
        .order_by("path")
        .first()
    )
    if two is not None and not Campaign.objects.filter(preset_key="002_shichang_jianguan").exists():
        _round(two, 2026, "002_shichang_jianguan", out, status=CampaignStatus.DRAFT)
    return []
