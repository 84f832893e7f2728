from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from shuping.conftest import PASSWORD, Cast
from shuping.member_review import services
from shuping.member_review.models import MemberReview, Stage
from shuping.member_review.tests.conftest import World, make_world
from shuping.member_review.tests.helpers import run_to


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=False)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_branch_page_per_role(cast: Cast, world: World) -> None:
    url = f"/mr/{world.review.pk}/"
    assert login(cast.reporter).get(url).status_code == 200
    assert login(cast.street_organizer).get(url).status_code == 200
    assert login(cast.superior).get(url).status_code == 200
    assert login(cast.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # login first
    other = MemberReview.objects.get(campaign=world.campaign, branch=cast.community_branch)
    # the secretary of one branch does not reach a neighbour
    assert login(cast.reporter).get(f"/mr/{other.pk}/").status_code == 404
    # read-only roles cannot act
    r = login(cast.superior).post(f"/mr/{world.review.pk}/advance", {"to": "committee"})
    assert r.status_code == 404


def test_committee_sheet_saves_and_keeps_bad_input(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.COMMITTEE)
    client = login(cast.reporter)
    page = client.get(f"/mr/{review.pk}/")
    assert "保存审议意见" in page.content.decode()
    a, b = world.evals[:2]
    data = {"eval": [a.pk, b.pk], f"g{a.pk}": "优秀", f"n{a.pk}": "表现突出", f"g{b.pk}": "很好"}
    bad = client.post(f"/mr/{review.pk}/proposals", data)
    assert bad.status_code == 400 and "等次不正确" in bad.content.decode()
    a.refresh_from_db()
    assert a.proposed_grade == ""
    data[f"g{b.pk}"] = "合格"
    assert client.post(f"/mr/{review.pk}/proposals", data).status_code == 302
    a.refresh_from_db()
    assert (a.proposed_grade, a.proposal_note) == ("优秀", "表现突出")


def test_150_row_branch_page_query_count(cast: Cast, django_assert_max_num_queries) -> None:
    world = make_world(cast, members=149)
    review = run_to(world.review, Stage.COMMITTEE)
    client = login(cast.reporter)
    with django_assert_max_num_queries(25):
        page = client.get(f"/mr/{review.pk}/")
    assert page.content.decode().count('name="eval"') == 150


def test_wrong_state_is_a_message_not_a_500(cast: Cast, world: World) -> None:
    client = login(cast.reporter)
    r = client.post(f"/mr/{world.review.pk}/advance", {"to": "publicity"}, follow=True)
    assert r.status_code == 200 and "不能进入" in r.content.decode()
    r = client.post(f"/mr/{world.review.pk}/advance", {"to": "nonsense"}, follow=True)
    assert "阶段不正确" in r.content.decode()


def test_slips_show_tokens_once(cast: Cast, world: World) -> None:
    client = login(cast.reporter)
    r = client.post(f"/mr/{world.review.pk}/links", {"purpose": "self_eval"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    html = r.content.decode()
    assert html.count("<svg") == len(world.evals) and "/mr/l/" in html


def test_evaluation_page_paper_entry_and_override(cast: Cast, world: World) -> None:
    client = login(cast.reporter)
    e = world.evals[0]
    r = client.post(f"/mr/e/{e.pk}/", {"action": "paper_self", "area1": "", "grade": "合格"})
    assert r.status_code == 400 and "请至少填写一项自评内容" in r.content.decode()
    r = client.post(
        f"/mr/e/{e.pk}/", {"action": "paper_self", "area1": "参加组织生活", "grade": "合格"}
    )
    assert r.status_code == 302
    review = run_to(world.review, Stage.CONFIRMATION)
    e = review.evaluations.get(pk=e.pk)
    r = client.post(f"/mr/e/{e.pk}/", {"action": "determine", "grade": "不合格", "reason": ""})
    assert r.status_code == 400 and "须写明理由" in r.content.decode()
    assert login(cast.outsider).get(f"/mr/e/{e.pk}/").status_code == 404


def test_public_page_only_when_published(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.CONFIRMATION)
    assert review.public_key is None
    review = run_to(review, Stage.PUBLICITY)
    r = Client().get(f"/mr/pub/{review.public_key}")
    html = r.content.decode()
    assert r.status_code == 200 and "公　示" in html and world.evals[1].name in html
    # nothing but names and grades: no self-evaluation, no votes, no other branch
    assert "按时参加" not in html and "票" not in html
    assert Client().get("/mr/pub/unknown").status_code == 404


def test_round_overview_and_xlsx(cast: Cast, world: World, django_assert_max_num_queries) -> None:
    run_to(world.review, Stage.PUBLICITY)
    client = login(cast.street_organizer)
    url = f"/mr/round/{world.campaign.pk}/"
    with django_assert_max_num_queries(15):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "甲街道第二党支部" in html and "甲社区第一党支部" in html
    assert "公示中" in html
    with django_assert_max_num_queries(15):
        r = client.get(url + "summary.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "党支部"
    branch = next(row for row in rows if row[0] == "甲街道第二党支部")
    assert branch[2] == 6 and branch[6] == "是" and branch[11] == 6  # six 合格
    assert str(rows[-1][0]).startswith("合计")
    assert login(cast.outsider).get(url).status_code == 404
    # a branch secretary runs their own branch; the committee's overview is not theirs
    assert login(cast.reporter).get(url).status_code == 404


def test_overview_lists_overdue_branches(cast: Cast, world: World) -> None:
    client = login(cast.street_organizer)
    page = client.get(f"/mr/round/{world.campaign.pk}/?stage=overdue")
    assert "个人自评已超期" in page.content.decode()  # 2016 dates are long past


@pytest.mark.parametrize("user", ["street_organizer", "reporter"])
def test_index(cast: Cast, world: World, user: str) -> None:
    r = login(getattr(cast, user)).get("/mr/")
    assert r.status_code == 200 and "甲街道第二党支部" in r.content.decode()


def test_start_from_the_round_page(cast: Cast) -> None:
    from shuping.member_review.tests.conftest import rules_000
    from shuping.rounds.testing import make_campaign

    campaign = make_campaign(cast.street, year=2016, rules=rules_000())
    assert login(cast.reporter).post(f"/mr/round/{campaign.pk}/").status_code == 404
    r = login(cast.street_organizer).post(f"/mr/round/{campaign.pk}/", follow=True)
    assert "已为 3 个党支部启动" in r.content.decode()
    assert services.start_member_reviews(campaign, actor=None) == 0
