"""The members' meeting vote on a branch of 150 through the ballots app's phone page."""

from __future__ import annotations

from django.test import Client

from shuping.ballots import casting, paper
from shuping.ballots import services as ballots
from shuping.ballots.models import Mark, Sheet
from shuping.conftest import Cast
from shuping.member_review import services
from shuping.member_review.models import Stage
from shuping.member_review.tests.conftest import make_world
from shuping.member_review.tests.helpers import fresh, open_vote, run_to


def test_150_member_sheet_on_a_phone(cast: Cast, django_assert_max_num_queries) -> None:
    world = make_world(cast, members=149)
    review = run_to(world.review, Stage.MEETING)
    ballot = services.meeting_ballot(review)
    assert ballot is not None
    open_vote(ballot, actor=cast.reporter)  # the secretary hosts the meeting
    ballot.refresh_from_db()
    assert len(ballot.items) == 150 and ballot.items[0]["group"] == "第 1–10 人"
    token, other = casting.issue_tokens(ballot, actor=cast.reporter, category="member", count=2)
    client = Client(enforce_csrf_checks=True)
    with django_assert_max_num_queries(4):
        page = client.get(f"/b/{token}")
    html = page.content.decode()
    assert page.status_code == 200 and 'class="bb-long"' in html
    assert html.count('class="bb-section"') == 15 and "下一个未选" in html
    assert html.count('type="radio"') == 600  # one tap per row: 150 rows × 4 grades
    grades = ["优秀"] * 20 + ["合格"] * 120 + ["基本合格"] * 5 + ["不合格"] * 3
    choices = {
        row["key"]: [g] for row, g in zip(ballot.rows(), grades, strict=False)
    }  # the last two rows left open
    confirm = client.post(f"/b/{token}", {**choices, "action": "confirm"})
    text = confirm.content.decode()
    assert "选择汇总" in text and "有 2 项未选择" in text
    assert "120 项" in text and "逐项核对（共 150 人）" in text
    done = client.post(f"/b/{token}", {**choices, "action": "submit"})
    assert "提交成功" in done.content.decode()
    again = client.post(f"/b/{token}", {**choices, "action": "submit"})
    assert "已经提交过" in again.content.decode()
    client.post(f"/b/{other}", {**choices, "action": "submit"})
    ballots.close_ballot(ballot, actor=cast.reporter)  # sheets stay sealed until close
    assert Mark.objects.filter(ballot=ballot).count() == 300
    review = services.advance(fresh(review), actor=cast.reporter, to=Stage.CONFIRMATION)
    evals = list(review.evaluations.order_by("order"))
    assert evals[0].final_grade == "优秀" and evals[0].vote_counts["优秀"] == 2
    assert evals[149].final_grade == "合格"  # no valid vote: the committee's proposal
    assert "无有效表决票" in evals[149].final_trace
    assert Sheet.objects.filter(ballot=ballot).count() == 2


def test_ballot_rows_never_name_a_voter(cast: Cast) -> None:
    world = make_world(cast, members=3)
    review = run_to(world.review, Stage.MEETING)
    ballot = services.meeting_ballot(review)
    assert ballot is not None
    # the rows are the members being evaluated; who votes is only a used token
    assert {i["id"] for i in ballot.items} == {e.pk for e in world.evals}
    fields = {f.name for f in Sheet._meta.get_fields()} | {f.name for f in Mark._meta.get_fields()}
    assert not fields & {"person", "token", "evaluation", "created_at"}


def test_paper_sheets_entered_twice_count(cast: Cast) -> None:
    world = make_world(cast, members=3)
    review = run_to(world.review, Stage.MEETING)
    ballot = services.meeting_ballot(review)
    assert ballot is not None
    ballot = open_vote(ballot, actor=cast.reporter)
    rows = ballot.rows()
    sheet = {rows[0]["key"]: ["优秀"], rows[1]["key"]: ["合格", "优秀"]}  # a double tick
    sheet |= {r["key"]: [] for r in rows[2:]}
    for clerk in (cast.reporter, cast.street_organizer):  # two different clerks
        paper.record_paper_entry(ballot, actor=clerk, number=1, category="mass", choices=sheet)
    paper.set_paper_handed_out(ballot, actor=cast.reporter, count=1)
    ballots.close_ballot(ballot, actor=cast.reporter)
    review = services.advance(fresh(review), actor=cast.reporter, to=Stage.CONFIRMATION)
    first, second = review.evaluations.order_by("order")[:2]
    assert first.vote_counts["优秀"] == 1
    assert sum(second.vote_counts.values()) == 0  # the invalid row counts for no grade
