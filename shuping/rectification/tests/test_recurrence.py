"""年年在: recurrence on the labelled pairs (figures in the report), and in the ledger."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shuping.conftest import Cast
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.meetings.prefill import critique_prefill
from shuping.rectification import recurrence, services
from shuping.rectification.models import Item, ItemStatus
from shuping.rectification.tests.pairs import DIFFERENT, RECURRING
from shuping.rounds.models import Campaign, Reporter

# measured on these pairs at THRESHOLD 0.30: precision 0.81, recall 0.94 (36 + 36 pairs)
PRECISION_FLOOR = 0.78
RECALL_FLOOR = 0.90


def test_labelled_set_is_large_enough() -> None:
    assert len(RECURRING) + len(DIFFERENT) >= 60
    assert len(RECURRING) >= 30 and len(DIFFERENT) >= 30


def test_precision_and_recall_on_the_labelled_pairs() -> None:
    precision, recall = recurrence.measure(RECURRING, DIFFERENT)
    assert precision >= PRECISION_FLOOR, precision
    assert recall >= RECALL_FLOOR, recall


def test_the_chosen_method_beats_plain_bigrams() -> None:
    """The measurement behind the choice: judgement words down-weighted beat raw bigrams."""

    def plain(text: str) -> dict[str, float]:
        grams = [text[i : i + 2] for i in range(len(text) - 1)]
        return {g: 1.0 / len(grams) ** 0.5 for g in grams}

    def f1(score: object) -> float:
        tp = sum(score(a, b) >= recurrence.THRESHOLD for a, b in RECURRING)  # type: ignore[operator]
        fp = sum(score(a, b) >= recurrence.THRESHOLD for a, b in DIFFERENT)  # type: ignore[operator]
        p, r = tp / max(tp + fp, 1), tp / len(RECURRING)
        return 2 * p * r / (p + r) if p + r else 0.0

    chosen = f1(
        lambda a, b: recurrence.similarity(recurrence.vectorize(a), recurrence.vectorize(b))
    )
    raw = f1(lambda a, b: recurrence.similarity(plain(a), plain(b)))
    assert chosen > raw


@pytest.mark.django_db
def test_new_item_is_flagged_and_linked(
    cast: Cast, reporter: Reporter, last_year: Campaign
) -> None:
    old_reporter = last_year.reporters.get(organization=cast.branch)
    old = services.create_item(old_reporter, actor=None, problem=RECURRING[0][0])
    services.create_item(old_reporter, actor=None, problem="村级集体经济发展缓慢。")
    Item.objects.filter(pk=old.pk).update(status=ItemStatus.CLOSED, closed_at=timezone.now())
    new = services.create_item(reporter, actor=cast.reporter, problem=RECURRING[0][1])
    assert new.recurs_of_id == old.pk and new.similarity and new.similarity >= 0.3
    fresh = services.create_item(reporter, actor=cast.reporter, problem=DIFFERENT[12][1])
    assert fresh.recurs_of_id is None
    # rewording the new problem re-checks it
    services.update_item(new, actor=cast.reporter, problem="党建示范点创建工作推进有力。")
    new.refresh_from_db()
    assert new.recurs_of_id is None


@pytest.mark.django_db
def test_the_secretary_brings_history_to_a_new_organization(
    cast: Cast, reporter: Reporter, last_year: Campaign
) -> None:
    """The same secretary reported for another organization last year."""
    old_reporter = last_year.reporters.get(organization=cast.community)
    old_reporter.person = cast.reporter_person
    old_reporter.save(update_fields=["person"])
    old = services.create_item(old_reporter, actor=None, problem=RECURRING[4][0])
    assert old.person_id == cast.reporter_person.pk
    new = services.create_item(reporter, actor=cast.reporter, problem=RECURRING[4][1])
    assert new.recurs_of_id == old.pk


@pytest.mark.django_db
def test_recurring_items_reach_the_hosts_critique_draft(
    cast: Cast, reporter: Reporter, last_year: Campaign
) -> None:
    old_reporter = last_year.reporters.get(organization=cast.branch)
    services.create_item(old_reporter, actor=None, problem=RECURRING[1][0])
    open_old = services.create_item(old_reporter, actor=None, problem="党员活动阵地建设滞后。")
    services.create_item(reporter, actor=cast.reporter, problem=RECURRING[1][1])
    meeting = Meeting.objects.create(
        campaign=reporter.campaign, kind="committee", title="会", starts_at=timezone.now()
    )
    entry = MeetingReporter.objects.create(meeting=meeting, reporter=reporter, order=1)
    draft = critique_prefill(entry)
    assert "【往年整改未销号/反复出现的问题】" in draft
    assert "2025年度未销号：" + open_old.problem in draft
    assert "反复出现：" in draft and "至今未开始" in draft
