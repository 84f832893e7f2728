"""One round, whole year: next year's round shows what it carries over from last year's
round of the same committee (rotation, last year's rule outcomes, last year's filing)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from shuping.conftest import PASSWORD
from shuping.filing import services
from shuping.filing.scenario import hold_meeting
from shuping.rounds.carryover import carryover
from shuping.rounds.models import ReportMode
from shuping.rounds.testing import make_campaign, sample_rules


def test_next_year_shows_what_it_carries_over(client, cast):
    last = make_campaign(
        cast.district,
        year=2025,
        rules=sample_rules(filing=["主持点评讲话"]),
        reporters=[cast.street, cast.organ],
    )
    last.reporters.filter(organization=cast.organ).update(mode=ReportMode.WRITTEN, is_vacant=False)
    hold_meeting(
        last,
        actor=cast.organizer,
        kind="committee",
        starts_at=timezone.make_aware(datetime(2026, 2, 22, 9)),
        vote=lambda item, category, n: "差" if n < 2 else "好",  # 2 of 10 差: over 10%
        voters=10,
    )
    filing = services.ensure_filing(last)
    services.excuse_entry(filing.entries.get(), actor=cast.organizer, reason="讲话未成稿")
    services.submit_filing(filing, actor=cast.organizer)
    this = make_campaign(cast.district, year=2026, reporters=[cast.street, cast.organ])
    carried = {c.heading: c.lines for c in carryover(this)}
    assert carried["2025年度书面述职、本年度应安排现场述职的书记（两年内至少现场述职一次）"] == (
        "乙机关工委",
    )
    outcome = carried["2025年度测评触发等次规则的述职人"]
    assert len(outcome) == 1 and "按规则为“差”" in outcome[0]
    assert any("缺项“主持点评讲话”：讲话未成稿" in line for line in carried["2025年度材料备案"])
    assert carryover(last) == []  # nothing before 2025
    assert client.login(username="organizer", password=PASSWORD)
    page = client.get(f"/rounds/{this.pk}/").content.decode()
    assert "上年结转" in page and "乙机关工委" in page
