"""The ledger's block for the host's critique draft: 往年整改未销号/反复出现的问题."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from shuping.meetings.models import MeetingReporter
from shuping.meetings.prefill import Block
from shuping.rectification.models import Item, ItemStatus

HEADING = "往年整改未销号/反复出现的问题"
LIMIT = 8


def _sign_off(item: Item) -> str:
    if item.status == ItemStatus.CLOSED and item.closed_at:
        note = f"，销号意见：{item.sign_off_note}" if item.sign_off_note else ""
        return f"{timezone.localdate(item.closed_at):%Y年%m月%d日}已销号{note}"
    return f"至今{item.status_label()}"


def recurring_problems(entry: MeetingReporter) -> Block | None:
    reporter = entry.reporter
    year = reporter.campaign.year
    history = Q(organization_id=reporter.organization_id)
    if reporter.person_id is not None:
        history |= Q(person_id=reporter.person_id)
    # one query for both kinds: the host's page counts its queries
    still_open = (
        history & Q(year__lt=year, carried_into__isnull=True) & ~Q(status=ItemStatus.CLOSED)
    )
    recurring = Q(reporter=reporter, recurs_of__isnull=False)
    found = list(
        Item.objects.filter(still_open | recurring)
        .select_related("recurs_of")
        .order_by("-year", "number", "id")[: 2 * LIMIT]
    )
    lines: list[str] = []
    for item in found:
        if item.year < year:
            lines.append(f"· {item.year}年度未销号：{item.problem}（{item.status_label()}）")
    for item in found:
        earlier = item.recurs_of
        if item.year == year and earlier is not None:
            lines.append(
                f"· 反复出现：{item.problem}（与{earlier.year}年度“{earlier.problem[:40]}”相似，"
                f"{_sign_off(earlier)}）"
            )
    return (HEADING, "\n".join(lines)) if lines else None
