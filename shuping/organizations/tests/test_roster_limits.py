"""Bounded work per roster upload: size and rows capped, the template's example rows
never imported, and a bad file's page lists the first errors with the rest downloadable."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from shuping.conftest import Cast
from shuping.organizations import roster_layout, roster_read, views
from shuping.organizations.models import Organization
from shuping.organizations.roster_export import template
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import RosterInvalid
from shuping.organizations.tests.test_roster import GOOD_ORGS, GOOD_PEOPLE, workbook

URL = "/org/import/"


def test_template_example_rows_are_never_imported(cast: Cast) -> None:
    _, _, content = template()
    with pytest.raises(RosterInvalid) as exc:
        import_roster(content, actor=cast.organizer)
    messages = {(e.sheet, e.message) for e in exc.value.errors}
    assert messages == {
        ("组织", roster_layout.EXAMPLE_MESSAGE),
        ("人员", roster_layout.EXAMPLE_MESSAGE),
    }
    assert not Organization.objects.filter(name="示例社区党委").exists()


def test_too_many_rows_are_refused_with_a_message(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_read, "MAX_ROWS", 2)
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.organizer)
    assert [e.message for e in exc.value.errors] == [roster_read.too_many_rows(2)]


def test_empty_rows_count_towards_the_scan_limit(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_read, "MAX_SCANNED", 50)
    rows = [[None] * 7 for _ in range(60)] + GOOD_ORGS
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(rows, []), actor=cast.organizer)
    assert [e.message for e in exc.value.errors] == [roster_read.TOO_MANY_ROWS]


def test_oversized_file_is_refused(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_read, "MAX_BYTES", 100)
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.organizer)
    assert "文件超过" in exc.value.errors[0].message


def test_error_page_is_capped_and_the_full_list_downloads(
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "ERRORS_SHOWN", 5)
    bad = [[f"X{i}", "", "党支部", "机关", "NOPE", "否", 1] for i in range(12)]
    client = Client()
    client.force_login(cast.organizer)
    upload = SimpleUploadedFile("bad.xlsx", workbook(bad, []))
    page = client.post(URL, {"file": upload})
    html = page.content.decode()
    assert page.status_code == 400
    assert html.count("<tr><td>组织</td>") == 5
    total = int(html.split("文件中有 ")[1].split(" 处错误")[0])
    assert total >= 12 and f"下载全部 {total} 处错误" in html
    download = client.get(f"{URL}errors.xlsx")
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws is not None and ws.max_row == total + 1
    # Nobody else gets the list.
    other = Client()
    other.force_login(cast.street_organizer)
    assert other.get(f"{URL}errors.xlsx").status_code == 404

    # The list waits in the session, like the other imports' (nothing piles up on disk),
    # and a new attempt replaces it.
    assert not (tmp_path / "import-errors").exists()
    client.post(URL, {"file": SimpleUploadedFile("ok.xlsx", workbook(GOOD_ORGS, GOOD_PEOPLE))})
    assert client.get(f"{URL}errors.xlsx").status_code == 404


def test_roster_error_download_beyond_the_kept_rows_says_how_many(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuping.lib import import_errors

    monkeypatch.setattr(views, "ERRORS_SHOWN", 5)
    monkeypatch.setattr(import_errors, "MAX_KEPT", 8)
    bad = [[f"X{i}", "", "党支部", "机关", "NOPE", "否", 1] for i in range(12)]
    client = Client()
    client.force_login(cast.organizer)
    html = client.post(URL, {"file": SimpleUploadedFile("bad.xlsx", workbook(bad, []))})
    total = int(html.content.decode().split("文件中有 ")[1].split(" 处错误")[0])
    assert f"下载前 8 处错误（共 {total} 处" in html.content.decode()
    sheet = load_workbook(io.BytesIO(client.get(f"{URL}errors.xlsx").content)).active
    assert sheet is not None
    rows = list(sheet.values)
    assert len([r for r in rows[1:] if r[0]]) == 8
    assert f"共 {total} 处错误" in str(rows[-1])
