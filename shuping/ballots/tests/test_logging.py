from __future__ import annotations

import logging

import pytest
from django.test import Client

from shuping.ballots import casting
from shuping.ballots.logging import redact
from shuping.ballots.models import Ballot


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/b/AbCdEfGhIjKlMnOpQrSt", "/b/…"),
        ("/api/v1/ballots/submit/AbCdEfGhIjKlMnOpQrSt", "/api/v1/ballots/submit/…"),
        ("/api/v1/ballots/sheet/AbCdEfGhIjKlMnOpQrSt", "/api/v1/ballots/sheet/…"),
        ("/b/p/AbCdEfGhIjKlMnOpQrSt", "/b/p/AbCdEfGhIjKlMnOpQrSt"),  # projector key
        ("/b/ballot/12/", "/b/ballot/12/"),
    ],
)
def test_redact(path: str, kept: str) -> None:
    assert redact(f"Bad Request: {path}") == f"Bad Request: {kept}"


def test_a_refused_token_submission_is_logged_without_the_token(
    open_ballot: Ballot, caplog: pytest.LogCaptureFixture
) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    client = Client()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.post(f"/api/v1/ballots/submit/{token}", "{}", content_type="application/json")
        client.post(f"/api/v1/ballots/submit/{token}", "not json", content_type="text/plain")
    assert caplog.records, "the refused submissions should have been logged"
    assert token not in caplog.text
