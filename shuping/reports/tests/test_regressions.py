"""Bugs found when the reports pages were used as a reporter would (issue 13, point 5)."""

from __future__ import annotations

from django.urls import reverse

from shuping.conftest import PASSWORD


def test_version_without_author_shows_the_system_as_author(client, cast, report):
    version = report.versions.create(number=99, kind="import", sections={}, author=None)
    assert client.login(username=cast.reporter.username, password=PASSWORD)
    page = client.get(reverse("reports:version", args=[report.pk, version.number]))
    assert page.status_code == 200
    assert "系统" in page.content.decode()
