"""Demo filing (see shuping/demo.py): relies only on the demo contract.

- The district's 2025 round (preset 003, closed): its 专题报告 drafted from its own
  figures, the missing items explained, filed with the package and acknowledged by
  `shangji` — archived, read-only.
- 2026 rounds reach the later stages, so the superior sees every stage at a glance:
  the 区直机关工委 round (preset 000) holds its meeting and ballot (测评完成); the
  农工委 round (preset 001, no filing list) is evaluated and filed, waiting for
  `shangji` to acknowledge it; one more committee follows the district (比照) without
  filing its plan, so something shows as overdue.
Every step looks first and does only what is missing; packages are built on the spot
so the demo shows them without a running worker.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime

from django.contrib.auth.models import User
from django.test.utils import override_settings
from django.utils import timezone

from shuping.filing import services
from shuping.filing.models import Filing, FilingState
from shuping.filing.scenario import hold_meeting
from shuping.organizations.models import Organization, Sector
from shuping.rounds import services as round_services
from shuping.rounds import sub_rounds
from shuping.rounds.models import Campaign

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
REASONS = {
    "reports": "2025年度述职报告和创新案例为纸质材料，已于会前报送区委组织部",
    "slides": "2025年度现场述职未统一使用演示文稿",
}


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _file_2025(out: Callable[[str], None]) -> None:
    district = Organization.objects.filter(code="QW").first()
    campaign = Campaign.objects.filter(committee=district, year=2025).first()
    office, superior = _user("zuzhibu"), _user("shangji")
    if campaign is None or office is None or superior is None:
        return
    if Filing.objects.filter(campaign=campaign, state=FilingState.ACKNOWLEDGED).exists():
        return
    filing = services.ensure_filing(campaign)
    services.draft_summary_report(campaign, actor=office)
    for row in services.checklist(filing):
        if row.blocks:
            services.excuse_entry(
                row.entry, actor=office, reason=REASONS.get(row.entry.kind, "另行报送")
            )
    if filing.state == FilingState.DRAFT:
        services.submit_filing(filing, actor=office, today=date(2026, 3, 20))
        # the demo files it "in March", before the 03-31 deadline
        Filing.objects.filter(pk=filing.pk).update(
            submitted_at=timezone.make_aware(datetime(2026, 3, 20, 10))
        )
    services.acknowledge_filing(filing, actor=superior)
    out(f"备案：{campaign.title}已报{filing.filed_with}备案并归档")


def _evaluate(campaign: Campaign, out: Callable[[str], None], *, office: User | None) -> bool:
    if campaign.meetings.exists() or not campaign.reporters.filter(mode="onsite").exists():
        return False
    rnd = random.Random(campaign.pk)
    scale = campaign.parsed_rules.ballot_scale

    def vote(item: dict[str, object], category: str, n: int) -> str:
        return rnd.choices(scale, weights=[70, 22, 6, 2][: len(scale)])[0]

    meeting, ballot = hold_meeting(
        campaign,
        actor=office,
        kind=campaign.parsed_rules.meetings[0].key,
        starts_at=timezone.make_aware(datetime(2026, 11, 26, 9)),
        vote=vote,
        voters=12,
    )
    out(f"  {meeting.title}：已召开，民主测评已结束（{ballot.closed_tally['sheets']} 张）")  # type: ignore[index]
    return True


def _stages_2026(out: Callable[[str], None]) -> None:
    district = Organization.objects.filter(code="QW").first()
    if district is None:
        return
    office = _user("zuzhibu")
    organ = Campaign.objects.filter(
        committee__parent=district, year=2026, preset_key="000_shizong_jiguan"
    ).first()
    if organ is not None:
        _evaluate(organ, out, office=office)
    rural = Campaign.objects.filter(
        committee__parent=district, committee__sector=Sector.RURAL, year=2026
    ).first()
    if rural is not None:
        _evaluate(rural, out, office=office)
        filing = services.ensure_filing(rural)
        if filing.state == FilingState.DRAFT and not services.blocking(filing):
            services.submit_filing(filing, actor=office)
            out(f"备案：{rural.title}已报送，待上级确认")


def _late_sub_round(out: Callable[[str], None]) -> None:
    """One committee follows the district (比照) but has not filed its plan: the superior's
    view shows it overdue."""
    parent = Campaign.objects.filter(committee__code="QW", year=2026).first()
    if parent is None:
        return
    child = (
        Organization.objects.filter(parent=parent.committee, is_active=True, children__isnull=False)
        .order_by("-sort_order", "-path")
        .distinct()
        .first()
    )
    if child is None or Campaign.objects.filter(committee=child, year=2026).exists():
        return
    (sub,) = sub_rounds.create_sub_campaigns(parent, actor=None, committees=[child])
    round_services.change_status(sub, actor=None, to="active")
    out(f"下级方案：{sub.title}（工作方案尚未报备案）")


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    with override_settings(TASKS=IMMEDIATE):
        _file_2025(out)
        _stages_2026(out)
        _late_sub_round(out)
    return []
