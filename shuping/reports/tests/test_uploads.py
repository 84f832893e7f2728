"""Innovation cases, pictures and slides: content sniffing, safe storage, safe serving."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from shuping.conftest import PASSWORD, Cast
from shuping.lib.errors import DomainError
from shuping.reports import services, uploads
from shuping.reports.models import AttachmentKind, InnovationCase
from shuping.reports.samples import make_png
from shuping.rounds.models import Reporter

PNG = make_png(8, 6)


def _pptx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("ppt/presentation.xml", "<p/>")
    return buf.getvalue()


@pytest.fixture
def case(reporter: Reporter, cast: Cast) -> InnovationCase:
    return services.save_case(
        reporter,
        actor=cast.reporter,
        data={
            "title": "楼宇党建驿站",
            "subtitle": "让“隐形党员”亮出身份",
            "background": "楼宇企业党员流动性大。",
            "measures": "（一）建立驿站。一是摸排。二是建档。",
            "results": "一是28名党员纳入管理。",
        },
    )


def _client(user: object) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return c


@pytest.mark.parametrize(
    ("data", "ext"),
    [(PNG, ".png"), (b"\xff\xd8\xff\xe0rest", ".jpg"), (b"%PDF-1.7 x", ".pdf")],
)
def test_sniff(data: bytes, ext: str) -> None:
    kind = uploads.sniff(data)
    assert kind is not None and kind.extension == ext
    assert uploads.sniff(_pptx()).extension == ".pptx"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [b"", b"<html><script>alert(1)</script>", b"GIF89a", b"MZ\x90\x00 executable", b"\x89PNG"],
)
def test_bad_pictures_refused(data: bytes) -> None:
    with pytest.raises(DomainError):
        uploads.check_picture(data)


def test_picture_too_large() -> None:
    with pytest.raises(DomainError) as err:
        uploads.check_picture(PNG + b"\0" * uploads.PICTURE_MAX)
    assert "5 MB" in err.value.message


def test_picture_stored_under_a_generated_name(
    case: InnovationCase, cast: Cast, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    att = services.add_attachment(
        case.reporter,
        actor=cast.reporter,
        kind=AttachmentKind.PICTURE,
        data=PNG,
        filename="../../etc/passwd.png",
        case=case,
        caption="驿站揭牌",
    )
    assert att.file.name.startswith("reports/picture/") and att.file.name.endswith(".png")
    assert "passwd" not in att.file.name and ".." not in att.file.name
    assert att.original_name == "passwd.png"
    assert att.content_type == "image/png"


def test_at_most_three_pictures(
    case: InnovationCase, cast: Cast, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    for _ in range(3):
        services.add_attachment(
            case.reporter, actor=cast.reporter, kind="picture", data=PNG, case=case
        )
    with pytest.raises(DomainError):
        services.add_attachment(
            case.reporter, actor=cast.reporter, kind="picture", data=PNG, case=case
        )


def test_served_through_access_checked_view(
    case: InnovationCase, cast: Cast, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    pic = services.add_attachment(
        case.reporter, actor=cast.reporter, kind="picture", data=PNG, case=case, filename="a.png"
    )
    deck = services.add_attachment(
        case.reporter, actor=cast.reporter, kind="slides", data=_pptx(), filename="述职.pptx"
    )
    resp = _client(cast.organizer).get(f"/reports/file/{pic.pk}/")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "image/png"
    assert resp["Content-Disposition"].startswith("inline;")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert b"".join(resp.streaming_content) == PNG  # type: ignore[attr-defined]
    resp = _client(cast.reporter).get(f"/reports/file/{deck.pk}/")
    assert resp["Content-Disposition"].startswith("attachment;")
    assert "pptx" in resp["Content-Disposition"]
    assert _client(cast.outsider).get(f"/reports/file/{pic.pk}/").status_code == 404
    assert _client(cast.organizer).get("/reports/file/999999/").status_code == 404


def test_slides_must_be_a_presentation(reporter: Reporter, cast: Cast) -> None:
    with pytest.raises(DomainError):
        services.add_attachment(
            reporter, actor=cast.reporter, kind="slides", data=PNG, filename="x.pptx"
        )


def test_case_limits(reporter: Reporter, cast: Cast, case: InnovationCase) -> None:
    services.save_case(reporter, actor=cast.reporter, data={"title": "第二篇"})
    with pytest.raises(DomainError):
        services.save_case(reporter, actor=cast.reporter, data={"title": "第三篇"})  # 1–2 cases
    with pytest.raises(DomainError) as err:
        services.save_case(reporter, actor=cast.reporter, data={"title": " "}, case=case)
    assert err.value.field == "title"


def test_case_export_layout(
    case: InnovationCase, cast: Cast, settings: object, tmp_path: object
) -> None:
    from docx import Document

    from shuping.reports import export

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    services.add_attachment(
        case.reporter, actor=cast.reporter, kind="picture", data=PNG, case=case, caption="揭牌仪式"
    )
    _, _, data = export.export_case(case)
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert texts[0] == "甲街道第二党支部基层党建创新案例"
    assert texts[1] == "——让“隐形党员”亮出身份"
    assert [t for t in texts if t[:2] in ("一、", "二、", "三、")] == [
        "一、工作背景",
        "二、主要举措",
        "三、取得成效",
    ]
    assert "揭牌仪式" in texts
    assert len(doc.inline_shapes) == 1
