from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shuping.audit.models import AuditEntry
from shuping.organizations.models import Organization, Person
from shuping.organizations.roster_read import id_check_digit
from shuping.organizations.services import create_person
from shuping.organizations.tests.test_roster import GOOD_ORGS, GOOD_PEOPLE, workbook

WHO = ["organizer", "host", "reporter", "superior", "outsider", "admin", "street_organizer"]

# (action, url builder, {who: expected status})
MATRIX = {
    "tree": (lambda c: "/org/", dict.fromkeys(WHO, 200)),
    "view_node": (
        lambda c: f"/org/{c.branch.pk}/",
        {**dict.fromkeys(WHO, 200), "outsider": 404},
    ),
    "view_other_node": (
        lambda c: f"/org/{c.community_branch.pk}/",
        {**dict.fromkeys(WHO, 200), "outsider": 404, "reporter": 404},
    ),
    "children": (
        lambda c: f"/org/{c.street.pk}/children/",
        {**dict.fromkeys(WHO, 200), "outsider": 404, "reporter": 404},
    ),
    "view_person": (
        lambda c: f"/org/person/{c.reporter_person.pk}/",
        {**dict.fromkeys(WHO, 200), "outsider": 404},
    ),
    "edit_node": (
        lambda c: f"/org/{c.branch.pk}/edit/",
        {**dict.fromkeys(WHO, 404), "organizer": 200, "admin": 200, "street_organizer": 200},
    ),
    "new_child": (
        lambda c: f"/org/{c.street.pk}/new/",
        {**dict.fromkeys(WHO, 404), "organizer": 200, "admin": 200, "street_organizer": 200},
    ),
    "appoint_secretary": (
        lambda c: f"/org/{c.branch.pk}/secretary/",
        {**dict.fromkeys(WHO, 404), "organizer": 200, "admin": 200, "street_organizer": 200},
    ),
    "edit_person": (
        lambda c: f"/org/person/{c.reporter_person.pk}/edit/",
        {**dict.fromkeys(WHO, 404), "organizer": 200, "admin": 200, "street_organizer": 200},
    ),
    "transfer": (
        lambda c: f"/org/person/{c.reporter_person.pk}/transfer/",
        {**dict.fromkeys(WHO, 404), "organizer": 200, "admin": 200, "street_organizer": 200},
    ),
    "export": (
        lambda c: f"/org/{c.street.pk}/export.xlsx",
        {**dict.fromkeys(WHO, 404), "organizer": 200, "admin": 200, "street_organizer": 200},
    ),
    "import": (
        lambda c: "/org/import/",
        {
            **dict.fromkeys(WHO, 404),
            "organizer": 200,
            "admin": 200,
            "street_organizer": 200,
            "outsider": 200,
        },
    ),
    "audit_log": (
        lambda c: "/org/audit/",
        {
            **dict.fromkeys(WHO, 404),
            "organizer": 200,
            "admin": 200,
            "street_organizer": 200,
            "outsider": 200,
        },
    ),
    "api_node": (
        lambda c: f"/api/v1/organizations/{c.branch.pk}",
        {**dict.fromkeys(WHO, 200), "outsider": 404},
    ),
    "api_children": (
        lambda c: f"/api/v1/organizations/{c.street.pk}/children",
        {**dict.fromkeys(WHO, 200), "outsider": 404, "reporter": 404},
    ),
    "api_people": (
        lambda c: f"/api/v1/organizations/{c.branch.pk}/people",
        {**dict.fromkeys(WHO, 200), "outsider": 404},
    ),
    "api_person": (
        lambda c: f"/api/v1/organizations/people/{c.reporter_person.pk}",
        {**dict.fromkeys(WHO, 200), "outsider": 404},
    ),
}


@pytest.mark.parametrize(("action", "who"), [(action, who) for action in MATRIX for who in WHO])
def test_role_action_matrix(cast, login, action, who):
    url, expected = MATRIX[action]
    response = login(who).get(url(cast))
    assert response.status_code == expected[who], (action, who)


@pytest.mark.parametrize("url", ["/", "/org/", "/org/import/", "/org/audit/"])
def test_anonymous_is_sent_to_login(client, url, cast):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_anonymous_api_is_refused(client, cast):
    assert client.get("/api/v1/organizations/roots").status_code == 401


def test_missing_node_is_404(login):
    assert login("admin").get("/org/999999/").status_code == 404


def test_writes_by_non_organizers_change_nothing(cast, login):
    for who in ("host", "superior", "reporter", "outsider"):
        response = login(who).post(f"/org/{cast.branch.pk}/edit/", {"name": "改名"})
        assert response.status_code == 404
    assert Organization.objects.get(pk=cast.branch.pk).name == "甲街道第二党支部"


def test_tree_shows_reachable_roots_and_searches(cast, login):
    page = login("street_organizer").get("/org/").content.decode()
    assert "甲街道党工委" in page and "示范区委" not in page and "乙机关工委" not in page
    page = login("street_organizer").get("/org/?q=支部").content.decode()
    assert "甲街道第二党支部" in page and "乙机关第一党支部" not in page
    fragment = login("street_organizer").get(f"/org/{cast.community.pk}/children/").content
    assert "甲社区第一党支部" in fragment.decode()


def test_create_and_edit_node_with_errors_at_the_field(cast, login):
    client = login("street_organizer")
    data = {"code": "S1", "name": "", "kind": "branch", "sector": "street", "sort_order": 1}
    page = client.post(f"/org/{cast.street.pk}/new/", data).content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    data["name"] = "甲新支部"
    page = client.post(f"/org/{cast.street.pk}/new/", data).content.decode()
    assert "组织编码已被使用" in page
    assert not Organization.objects.filter(name="甲新支部").exists()
    data["code"] = "S1B9"
    response = client.post(f"/org/{cast.street.pk}/new/", data)
    org = Organization.objects.get(code="S1B9")
    assert response.status_code == 302 and org.parent == cast.street
    data.update(name="甲新支部（改）", is_active="on")
    assert client.post(f"/org/{org.pk}/edit/", data).status_code == 302
    assert Organization.objects.get(pk=org.pk).name == "甲新支部（改）"
    assert AuditEntry.objects.filter(action="organization.update", target_id=str(org.pk)).exists()


def test_appoint_secretary_and_vacate(cast, login):
    person = create_person(actor=None, organization=cast.retiree_branch, name="老刘", gender="M")
    client = login("street_organizer")
    url = f"/org/{cast.retiree_branch.pk}/secretary/"
    assert client.post(url, {"secretary": person.pk}).status_code == 302
    assert Organization.objects.get(pk=cast.retiree_branch.pk).secretary == person
    assert AuditEntry.objects.filter(action="organization.secretary").count() == 1
    # Someone from outside the node's subtree is not a choice.
    outside = create_person(actor=None, organization=cast.organ_branch, name="外人")
    page = client.post(url, {"secretary": outside.pk}).content.decode()
    assert "选择一个有效的选项" in page or "有效" in page
    assert client.post(url, {"secretary": ""}).status_code == 302
    assert Organization.objects.get(pk=cast.retiree_branch.pk).secretary is None
    other = create_person(actor=None, organization=cast.retiree_branch, name="老王")
    data = {"secretary": person.pk, "committee_members": [person.pk, other.pk]}
    assert client.post(url, data).status_code == 302
    org = Organization.objects.get(pk=cast.retiree_branch.pk)
    assert set(org.committee_members.values_list("name", flat=True)) == {"老刘", "老王"}
    assert AuditEntry.objects.filter(action="organization.committee").count() == 1
    page = client.get(f"/org/{org.pk}/").content.decode()
    assert "老王" in page


def _id(seq: int) -> str:
    first = f"11010819800501{seq:03d}"
    return first + id_check_digit(first)


def test_person_forms_validate_and_mask(cast, login):
    client = login("street_organizer")
    data = {
        "name": "新党员",
        "gender": "F",
        "birth_date": "1990-01-01",
        "category": "member",
        "member_status": "regular",
        "employment": "in_post",
        "join_date": "2015-07-01",
        "id_number": "110108199001011230",
        "phone": "13800001111",
    }
    page = client.post(f"/org/{cast.branch.pk}/people/new/", data).content.decode()
    assert "校验位不正确" in page
    data["id_number"] = _id(5)
    response = client.post(f"/org/{cast.branch.pk}/people/new/", data)
    assert response.status_code == 302
    person = Person.objects.get(name="新党员")
    assert person.id_number == _id(5) and person.memberships.count() == 1
    # Edit with the ID field left empty keeps the stored number; the page never shows it.
    page = client.get(f"/org/person/{person.pk}/edit/").content.decode()
    assert _id(5) not in page and person.masked_id_number in page
    data.update(id_number="", position="宣传委员")
    assert client.post(f"/org/person/{person.pk}/edit/", data).status_code == 302
    person.refresh_from_db()
    assert person.id_number == _id(5) and person.position == "宣传委员"
    # A duplicate ID number is refused at the field.
    data.update(name="另一人", id_number=_id(5))
    page = client.post(f"/org/{cast.branch.pk}/people/new/", data).content.decode()
    assert "已登记" in page
    for url in (f"/org/person/{person.pk}/", f"/org/{cast.branch.pk}/", "/org/audit/"):
        assert _id(5) not in client.get(url).content.decode()
    for entry in AuditEntry.objects.all():
        assert _id(5) not in str(entry.changes) + entry.note
        assert "13800001111" not in str(entry.changes) + entry.note


def test_transfer_page(cast, login):
    client = login("organizer")
    url = f"/org/person/{cast.reporter_person.pk}/transfer/"
    page = client.post(url, {"to": ""}).content.decode()
    assert "必填" in page
    response = client.post(
        url, {"to": cast.organ_branch.pk, "on": "2026-03-01", "note": "工作调动"}
    )
    assert response.status_code == 302
    page = client.get(f"/org/person/{cast.reporter_person.pk}/").content.decode()
    assert "乙机关第一党支部" in page and "工作调动" in page and "2026-03-01" in page
    # The street organizer cannot move someone into a branch outside its subtree.
    person = create_person(actor=None, organization=cast.branch, name="小张")
    page = (
        login("street_organizer")
        .post(f"/org/person/{person.pk}/transfer/", {"to": cast.organ_branch.pk})
        .content.decode()
    )
    assert "有效" in page
    assert Person.objects.get(pk=person.pk).organization == cast.branch


def test_import_page_lists_bad_rows_and_imports_good_file(cast, login):
    client = login("organizer")
    bad = workbook([["X1", "未知上级", "党支部", "其他", "NOPE", "否", 1]], GOOD_PEOPLE)
    response = client.post("/org/import/", {"file": _upload(bad, "roster.xlsx")}, follow=True)
    page = response.content.decode()
    assert response.status_code == 400
    assert "未导入任何数据" in page and "上级组织编码" in page and "NOPE" in page
    assert not Person.objects.filter(name="赵一").exists()
    response = client.post(
        "/org/import/", {"file": _upload(workbook(GOOD_ORGS, GOOD_PEOPLE), "r.xlsx")}, follow=True
    )
    assert "导入完成" in response.content.decode()
    assert Person.objects.filter(name="赵一").exists()
    page = client.post("/org/import/", {"file": _upload(b"xx", "r.csv")}).content.decode()
    assert ".xlsx" in page


def test_template_and_export_download(cast, login):
    client = login("street_organizer")
    response = client.get("/org/import/template.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames[:2] == ["组织", "人员"]
    response = client.get(f"/org/{cast.street.pk}/export.xlsx")
    assert response.streaming and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert next(r[0] for r in wb["组织"].iter_rows(min_row=2, values_only=True)) == "S1"


def test_audit_log_is_scoped_and_filtered(cast, login):
    create_person(actor=cast.organizer, organization=cast.branch, name="甲人")
    create_person(actor=cast.organizer, organization=cast.organ_branch, name="乙人")
    page = login("street_organizer").get("/org/audit/").content.decode()
    assert "甲人" in page and "乙人" not in page
    page = login("organizer").get("/org/audit/?action=person.create").content.decode()
    assert "甲人" in page and "乙人" in page
    page = login("organizer").get("/org/audit/?action=organization.create").content.decode()
    assert "甲人" not in page and "甲社区党委" in page
    page = login("organizer").get("/org/audit/?start=2000-01-01&end=2000-01-02").content.decode()
    assert "甲人" not in page
    page = login("organizer").get("/org/audit/?start=bad").content.decode()
    assert "有效" in page


def test_home_page_per_role(cast, login):
    assert "组织员" in login("organizer").get("/").content.decode()
    page = login("reporter").get("/").content.decode()
    assert "述职书记" in page and "甲街道第二党支部" in page and "王建国" in page
    assert "上级党委" in login("superior").get("/").content.decode()


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _bulk_people(org: Organization, n: int) -> None:
    Person.objects.bulk_create(
        Person(name=f"人{i}", organization=org, id_number=_id(100 + n + i), phone="13900000000")
        for i in range(n)
    )


def test_query_counts_do_not_grow_with_rows(cast, login, django_assert_max_num_queries):
    client = login("street_organizer")
    _bulk_people(cast.branch, 3)
    _bulk_people(cast.community_branch, 70)
    with django_assert_max_num_queries(14):
        assert client.get(f"/org/{cast.community_branch.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/org/{cast.street.pk}/?all=1").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/org/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/org/{cast.street.pk}/children/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/org/person/{cast.reporter_person.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/organizations/{cast.community_branch.pk}/people?limit=100")
    assert response.json()["count"] == 70
    assert all("*" in p["id_number_masked"] for p in response.json()["items"])


def test_move_page(cast, login):
    client = login("organizer")
    url = f"/org/{cast.community.pk}/move/"
    page = client.post(url, {"new_parent": cast.community_branch.pk}).content.decode()
    assert "有效" in page  # its own subtree is not a choice
    assert client.post(url, {"new_parent": cast.organ.pk}).status_code == 302
    child = Organization.objects.get(pk=cast.community_branch.pk)
    assert child.path.startswith(Organization.objects.get(pk=cast.organ.pk).path)
    assert child.depth == 3
    assert login("street_organizer").get(f"/org/{cast.district.pk}/move/").status_code == 404
    assert login("host").get(url).status_code == 404


def test_dissolving_needs_an_empty_node(cast, login):
    client = login("organizer")
    data = {
        "code": "S1B2",
        "name": "甲街道第二党支部",
        "kind": "branch",
        "sector": "street",
        "sort_order": 0,
    }
    page = client.post(f"/org/{cast.branch.pk}/edit/", data).content.decode()
    assert "组织关系转出" in page
    assert Organization.objects.get(pk=cast.branch.pk).is_active
    data = {**data, "code": "S1B3", "name": "甲街道老年党支部", "dissolved_on": "2026-01-01"}
    assert client.post(f"/org/{cast.retiree_branch.pk}/edit/", data).status_code == 302
    org = Organization.objects.get(pk=cast.retiree_branch.pk)
    assert not org.is_active and org.dissolved_on is not None
    page = client.post(
        f"/org/{cast.street.pk}/edit/",
        {**data, "code": "S1", "name": "甲街道党工委", "kind": "working"},
    ).content.decode()
    assert "下级组织" in page
