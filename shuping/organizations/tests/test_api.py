from __future__ import annotations

from shuping.organizations.roster_read import id_check_digit
from shuping.organizations.services import update_person

RAW_ID = "11010819750308001" + id_check_digit("11010819750308001")
RAW_PHONE = "13812345678"


def test_identifiers_never_leave_unmasked(cast, login):
    update_person(cast.reporter_person, actor=None, id_number=RAW_ID, phone=RAW_PHONE)
    client = login("organizer")
    for url in (
        f"/api/v1/organizations/people/{cast.reporter_person.pk}",
        f"/api/v1/organizations/{cast.branch.pk}/people",
        f"/api/v1/organizations/{cast.street.pk}/people?subtree=true",
        f"/org/person/{cast.reporter_person.pk}/",
        f"/org/{cast.branch.pk}/",
        f"/org/person/{cast.reporter_person.pk}/edit/",
        "/org/audit/",
    ):
        body = client.get(url).content.decode()
        assert RAW_ID not in body and RAW_PHONE not in body, url
    detail = client.get(f"/api/v1/organizations/people/{cast.reporter_person.pk}").json()
    assert detail["id_number_masked"] == "110108********" + RAW_ID[-4:]
    assert detail["phone_masked"] == "138****5678"
    assert detail["memberships"][0]["organization_id"] == cast.branch.pk


def test_reporter_sees_only_own_branch(cast, login):
    client = login("reporter")
    roots = client.get("/api/v1/organizations/roots").json()
    assert [r["code"] for r in roots] == ["S1B2"]
    assert client.get("/api/v1/organizations/search?q=支部").json()[0]["code"] == "S1B2"
    assert len(client.get("/api/v1/organizations/search?q=支部").json()) == 1
    assert client.get(f"/api/v1/organizations/{cast.street.pk}").status_code == 404


def test_node_detail_has_posts_and_ancestors(cast, login):
    data = login("superior").get(f"/api/v1/organizations/{cast.branch.pk}").json()
    assert data["secretary"]["name"] == "王建国" and not data["secretary_vacant"]
    assert [a["name"] for a in data["ancestors"]] == ["示范区委", "甲街道党工委"]
    data = login("superior").get(f"/api/v1/organizations/{cast.retiree_branch.pk}").json()
    assert data["secretary_vacant"] and data["is_retiree_branch"]
    children = login("superior").get(f"/api/v1/organizations/{cast.street.pk}/children").json()
    assert {c["code"]: c["children_count"] for c in children} == {"S1C1": 1, "S1B2": 0, "S1B3": 0}
    assert login("superior").get("/api/v1/organizations/999999").status_code == 404


def test_reporter_of_a_general_branch_does_not_see_sub_branch_members(cast, login):
    from shuping.accounts.models import Role, RoleGrant
    from shuping.organizations.services import create_person

    # Make the reporter also the reporter of 甲社区党委, which has a branch below it.
    RoleGrant.objects.create(user=cast.reporter, role=Role.REPORTER, organization=cast.community)
    create_person(actor=None, organization=cast.community_branch, name="下级党员")
    create_person(actor=None, organization=cast.community, name="本级党员")
    client = login("reporter")
    data = client.get(f"/api/v1/organizations/{cast.community.pk}/people?subtree=true").json()
    assert [p["name"] for p in data["items"]] == ["本级党员"]
    page = client.get(f"/org/{cast.community.pk}/?all=1").content.decode()
    assert "本级党员" in page and "下级党员" not in page
