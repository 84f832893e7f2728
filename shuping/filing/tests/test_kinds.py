"""The member review results (民主评议党员汇总) are a generated filing item once every
branch's review is archived; before that the item is not ready."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from shuping.filing.kinds import get_kind
from shuping.member_review.models import MemberReview, Stage
from shuping.member_review.tests.conftest import make_world
from shuping.member_review.tests.helpers import run_to


def test_member_review_results_only_once_archived(cast):
    world = make_world(cast)
    kind = get_kind("member_review")
    assert kind is not None
    assert not kind.available(world.campaign)  # wrong state: reviews still running
    reviews = list(
        MemberReview.objects.filter(campaign=world.campaign, evaluations__isnull=False).distinct()
    )
    for review in reviews:
        assert not kind.available(world.campaign)  # one branch still running holds it
        run_to(review, Stage.ARCHIVED, actor=cast.street_organizer)
    # a branch without members has nothing to review and does not hold it up
    assert MemberReview.objects.filter(campaign=world.campaign).count() > len(reviews)
    assert kind.available(world.campaign)
    [(name, _, data)] = kind.build(world.campaign)
    assert name.endswith("民主评议党员汇总.xlsx")
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    branches = [row[0] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert world.review.branch.name in branches  # every branch, whoever builds it
