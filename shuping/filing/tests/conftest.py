"""Fixtures for filing: no LibreOffice run in tests unless a test asks for one."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_pdf(settings: Any, tmp_path: object) -> None:
    settings.FILING_SOFFICE = ""
    settings.MEDIA_ROOT = str(tmp_path)


CSRF_SECRET = "a" * 32


def bearer(user: Any, client: Any = None) -> dict[str, str]:
    """Headers of a fresh API token for `user`, as the API is called from outside.
    Given the (CSRF-enforcing) client, a CSRF cookie and header pair is added too: until
    bearer calls are exempt from the session's CSRF check (issue 12), ninja checks it."""
    import secrets

    from shuping.accounts.models import ApiToken, hash_token

    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=hash_token(raw), name="test")
    headers = {"Authorization": f"Bearer {raw}"}
    if client is not None:
        client.cookies["csrftoken"] = CSRF_SECRET
        headers["X-CSRFToken"] = CSRF_SECRET
    return headers


DOCX_MAGIC = b"PK\x03\x04"


def tiny_docx() -> bytes:
    import io

    from docx import Document

    buffer = io.BytesIO()
    doc = Document()
    doc.add_paragraph("主持点评讲话")
    doc.save(buffer)
    return buffer.getvalue()


def tiny_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
