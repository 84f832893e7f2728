"""The superior's view shows each round's rectification completion and its members'
reviews (民主评议党员), counted in SQL; the secretaries' vote distribution leaves out the
members' meetings."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from shuping.conftest import PASSWORD
from shuping.member_review.models import MemberReview, Stage
from shuping.member_review.tests.conftest import make_world
from shuping.member_review.tests.helpers import run_to
from shuping.oversight.queries import dashboard
from shuping.rectification.models import Item, ItemStatus
from shuping.rounds.models import Reporter
from shuping.rounds.testing import make_campaign, sample_rules

TODAY = date(2026, 3, 1)


def _items(reporter: Reporter, statuses: list[tuple[str, date | None]]) -> None:
    for n, (status, deadline) in enumerate(statuses, start=1):
        Item.objects.create(
            organization=reporter.organization,
            year=reporter.campaign.year,
            reporter=reporter,
            number=n,
            problem=f"问题{n}",
            status=status,
            deadline=deadline,
        )


def test_rectification_completion_per_round_and_branch(cast, django_assert_num_queries):
    district = make_campaign(cast.district, rules=sample_rules(filing=[]), reporters=[cast.street])
    street = make_campaign(cast.street, rules=sample_rules(filing=[]), reporters=[cast.branch])
    street.parent = district
    street.save(update_fields=["parent"])
    _items(
        street.reporters.get(),
        [
            (ItemStatus.CLOSED, None),
            (ItemStatus.DONE, date(2026, 1, 1)),  # reported done: not overdue
            (ItemStatus.IN_PROGRESS, date(2026, 2, 1)),  # overdue
            (ItemStatus.NOT_STARTED, date(2026, 3, 1)),  # the last day is still in time
        ],
    )
    with django_assert_num_queries(9):
        board = dashboard(cast.district, year=2025, today=TODAY)
    f = board.figures
    assert (f.rect_items, f.rect_done, f.rect_overdue, f.rect_percent) == (4, 2, 1, 50)
    by_name = {b.org.name: b for b in board.branches}
    assert (by_name["甲街道党工委"].rect_items, by_name["甲街道党工委"].rect_overdue) == (4, 1)
    assert by_name["示范区委"].rect_items == 0 and by_name["示范区委"].rect_percent is None
    row = next(r for r in board.rounds if r.pk == street.pk)
    assert row.rect_percent == 50  # type: ignore[attr-defined]
    assert "整改事项逾期" in row.flags  # type: ignore[attr-defined]
    assert dict(board.overdue)["整改事项逾期"] == 1


def test_member_reviews_with_stage_and_overdue(client, cast):
    world = make_world(cast)  # the street's 2016 round, one review per branch below it
    run_to(world.review, Stage.ARCHIVED, actor=cast.street_organizer)
    others = list(MemberReview.objects.filter(campaign=world.campaign).exclude(pk=world.review.pk))
    # the other branches never began: their self-evaluation deadline has passed
    assert others and others[0].self_eval_due is not None
    today = others[0].self_eval_due + timedelta(days=1)
    assert world.review.report_due is None or world.review.report_due >= today
    board = dashboard(cast.street, year=2016, today=today)
    f = board.figures
    assert (f.mr_total, f.mr_done, f.mr_overdue) == (1 + len(others), 1, len(others))
    stages = dict(board.review_stages)
    assert stages["已存档"] == 1 and stages["个人自评"] == len(others)
    overdue = {m.branch.name: m.is_overdue for m in board.member_reviews}  # type: ignore[attr-defined]
    assert overdue[world.review.branch.name] == 0
    assert all(overdue[o.branch.name] == 1 for o in others if o.branch.parent_id == cast.street.pk)
    # the members' meeting graded members with 合格; the secretaries' chart ignores it
    assert "合格" not in dict(board.grades)

    assert client.login(username="superior", password=PASSWORD)
    page = client.get(f"/oversight/?org={cast.street.pk}&year=2016").content.decode()
    assert "本级所属党支部的民主评议党员" in page and "已存档" in page and "超期" in page
    export = client.get(f"/oversight/export.xlsx?org={cast.street.pk}&year=2016")
    wb = load_workbook(io.BytesIO(export.content))
    assert "民主评议党员" in wb.sheetnames
    header = [c.value for c in wb["各单位"][2]]  # under the title
    assert "整改完成率（%）" in header and "党员评议超期" in header
    # out of the superior's reach, nothing (404), as for the rest of the page
    client.logout()
    assert client.login(username="street_organizer", password=PASSWORD)
    assert client.get(f"/oversight/?org={cast.district.pk}&year=2016").status_code == 404
