"""Pasted text with NUL characters or broken Unicode is saved (without them), never lost."""

from __future__ import annotations

import json

from django.test import Client

from shuping.conftest import Cast
from shuping.reports.models import DutyReport


def _client(cast: Cast) -> Client:
    c = Client(enforce_csrf_checks=False)
    c.force_login(cast.reporter)
    return c


def test_autosave_with_nul_keeps_the_text(report: DutyReport, cast: Cast) -> None:
    page = _client(cast).get(f"/reports/{report.pk}/write/")
    assert page.status_code == 200
    c = _client(cast)
    sections = {_first_key(report): "一、抓基层党建\x00工作情况\ud800。"}
    r = c.post(
        f"/reports/{report.pk}/autosave/",
        json.dumps({"sections": sections, "revision": report.revision}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    report.refresh_from_db()
    stored = json.dumps(_texts(report), ensure_ascii=False)
    assert "一、抓基层党建工作情况。" in stored and "\\u0000" not in stored


def test_api_save_with_nul_keeps_the_text(report: DutyReport, cast: Cast) -> None:
    c = _client(cast)
    body = json.dumps({"sections": {_first_key(report): "甲\x00乙"}, "revision": report.revision})
    r = c.put(f"/api/v1/reports/{report.pk}/sections", body, content_type="application/json")
    assert r.status_code == 200, r.content
    report.refresh_from_db()
    assert "甲乙" in json.dumps(_texts(report), ensure_ascii=False)


def _first_key(report: DutyReport) -> str:
    from shuping.reports import services

    return str(services.rules_for(report).sections[0].key)


def _texts(report: DutyReport) -> object:
    return report.sections
