"""Input no view can take is refused in Chinese, never a 500 or an English page."""

from __future__ import annotations

import pytest
from django.test import Client

from shuping.conftest import Cast
from shuping.rectification.tests.conftest import bearer

pytestmark = pytest.mark.django_db


def test_broken_multipart_to_the_api_is_a_chinese_json_400(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/api/v1/rounds/",
        b"x",
        content_type="multipart/form-data",  # no boundary
        headers=bearer(cast.organizer),
    )
    assert r.status_code == 400
    assert "无法解析" in r.json()["detail"]


def test_broken_multipart_to_a_page_is_the_chinese_error_page(cast: Cast) -> None:
    r = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", b"x", content_type="multipart/form-data"
    )
    assert r.status_code == 400
    assert "请求无法处理" in r.content.decode()


def test_control_characters_are_dropped_from_forms_and_json(cast: Cast) -> None:
    from shuping.lib.middleware import _clean, clean_text

    assert clean_text("甲\x01乙\x0b丙\t丁\n") == "甲乙丙\t丁\n"
    assert _clean({"a": ["\x1f是", {"b": "\ufffe否"}]}) == {"a": ["是", {"b": "否"}]}
