from __future__ import annotations

import pytest
from django.test import Client

from shuping.conftest import Cast


@pytest.fixture
def login(cast: Cast, client: Client):
    """login("organizer") -> a client logged in as that cast member."""

    def _login(who: str) -> Client:
        client.force_login(getattr(cast, who))
        return client

    return _login
