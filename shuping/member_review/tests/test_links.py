from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shuping.conftest import Cast
from shuping.lib.errors import DomainError
from shuping.member_review import links, services
from shuping.member_review.models import AccessLink, LinkPurpose, Source, Stage
from shuping.member_review.tests.conftest import World
from shuping.member_review.tests.helpers import run_to


def test_only_the_hash_is_stored(cast: Cast, world: World) -> None:
    issued = links.issue_links(world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL)
    assert len(issued) == len(world.evals)
    stored = set(AccessLink.objects.values_list("token_hash", flat=True))
    for _, token in issued:
        assert token not in stored and links.hash_token(token) in stored


def test_expired_reused_and_revoked(cast: Cast, world: World) -> None:
    (e, token), *_ = links.issue_links(
        world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL
    )
    later = timezone.now() + timedelta(days=31)
    with pytest.raises(links.LinkError) as exc:
        links.open_link(token, now=later)
    assert exc.value.reason == "expired"
    link = links.open_link(token)
    services.submit_self_evaluation(
        e, actor=None, texts={"1": "按时交纳党费"}, grade="合格", link=link
    )
    e.refresh_from_db()
    assert e.self_source == Source.PERSONAL
    with pytest.raises(links.LinkError) as exc:
        links.open_link(token)
    assert exc.value.reason == "used"
    # a replay of the same (already opened) link object loses too
    with pytest.raises(links.LinkError):
        services.submit_self_evaluation(e, actor=None, texts={"1": "x"}, grade="优秀", link=link)
    e.refresh_from_db()
    assert e.self_grade == "合格"
    # printing new slips revokes the unused old ones
    (_, old), *_ = links.issue_links(
        world.review,
        actor=cast.reporter,
        purpose=LinkPurpose.SELF_EVAL,
        evaluations=[world.evals[1]],
    )
    links.issue_links(
        world.review,
        actor=cast.reporter,
        purpose=LinkPurpose.SELF_EVAL,
        evaluations=[world.evals[1]],
    )
    with pytest.raises(links.LinkError) as exc:
        links.open_link(old)
    assert exc.value.reason == "revoked"
    with pytest.raises(links.LinkError) as exc:
        links.open_link("not-a-token")
    assert exc.value.reason == "unknown"


def test_wrong_person_cannot_use_another_link(cast: Cast, world: World) -> None:
    issued = links.issue_links(world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL)
    link = links.open_link(issued[0][1])
    other = issued[1][0]
    with pytest.raises(links.LinkError):
        services.submit_self_evaluation(
            other, actor=None, texts={"1": "x"}, grade="合格", link=link
        )
    other.refresh_from_db()
    assert other.self_submitted_at is None


def test_phone_check_and_lockout(cast: Cast, world: World) -> None:
    issued = links.issue_links(
        world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL, phone_check=True
    )
    e, token = next((e, t) for e, t in issued if e.person.phone)
    link = links.open_link(token)
    assert link.phone_check
    links.check_phone(link, e.person.phone[-4:])
    for _ in range(links.MAX_PHONE_FAILURES - 1):
        with pytest.raises(DomainError):
            links.check_phone(link, "0000")
    with pytest.raises(links.LinkError):
        links.check_phone(link, "0000")
    with pytest.raises(links.LinkError) as exc:
        links.open_link(token)
    assert exc.value.reason == "locked"


def test_link_of_a_past_stage(cast: Cast, world: World) -> None:
    (_, token), *_ = links.issue_links(
        world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL
    )
    run_to(world.review, Stage.MEETING)
    with pytest.raises(links.LinkError) as exc:
        links.open_link(token)
    assert exc.value.reason == "stage"


def test_member_phone_pages(cast: Cast, world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    (e, token), *_ = links.issue_links(
        world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL
    )
    page = client.get(f"/mr/l/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert e.name in html and "参加组织生活情况" in html
    # other members are not on the page
    assert world.evals[1].name not in html
    bad = client.post(f"/mr/l/{token}", {"area1": "", "grade": "合格"})
    assert bad.status_code == 200 and "请至少填写一项自评内容" in bad.content.decode()
    ok = client.post(f"/mr/l/{token}", {"area1": "参加了全部组织生活", "grade": "合格"})
    assert ok.status_code == 200 and "已提交" in ok.content.decode()
    again = client.get(f"/mr/l/{token}")
    assert "已经使用过" in again.content.decode()
    assert client.get("/mr/l/nonsense").status_code == 404


def test_confirmation_through_the_link(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.CONFIRMATION)
    (e, token), (e2, token2), *_ = links.issue_links(
        review, actor=cast.reporter, purpose=LinkPurpose.CONFIRM
    )
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/mr/l/{token}")
    assert "合格" in page.content.decode() and "确认" in page.content.decode()
    r = client.post(f"/mr/l/{token2}", {"agree": "0", "statement": ""})
    assert "请写明不同意见及理由" in r.content.decode()
    client.post(f"/mr/l/{token2}", {"agree": "0", "statement": "我认为应评为优秀"})
    client.post(f"/mr/l/{token}", {"agree": "1"})
    e.refresh_from_db()
    e2.refresh_from_db()
    assert e.confirmation == "confirmed" and e.confirm_source == Source.PERSONAL
    assert e2.confirmation == "disagreed" and e2.disagreement == "我认为应评为优秀"


def test_phone_check_on_the_page(cast: Cast, world: World) -> None:
    issued = links.issue_links(
        world.review, actor=cast.reporter, purpose=LinkPurpose.SELF_EVAL, phone_check=True
    )
    e, token = next((e, t) for e, t in issued if e.person.phone)
    last4 = e.person.phone[-4:]
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/mr/l/{token}").content.decode()
    assert "手机号码后四位" in page and "参加组织生活情况" not in page
    wrong = client.post(f"/mr/l/{token}", {"step": "phone", "phone_last4": "0000"})
    assert "手机号后四位不正确" in wrong.content.decode()
    right = client.post(f"/mr/l/{token}", {"step": "phone", "phone_last4": last4})
    assert "参加组织生活情况" in right.content.decode()
    # the form must carry the digits again: without them nothing is saved
    client.post(f"/mr/l/{token}", {"area1": "x", "grade": "合格"})
    e.refresh_from_db()
    assert e.self_submitted_at is None
    done = client.post(f"/mr/l/{token}", {"phone_last4": last4, "area1": "参加", "grade": "合格"})
    assert "已提交" in done.content.decode()
    e.refresh_from_db()
    assert e.self_grade == "合格"
