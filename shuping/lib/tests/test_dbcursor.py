"""PostgreSQL prepares the phone path's hot statements unless told not to (PgBouncer)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import django
django.setup()
from django.conf import settings
print(settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold"))
"""


def _threshold(tmp_path, url: str, **env: str) -> str:  # type: ignore[no-untyped-def]
    run_env = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    run_env.update(
        SHUPING_DATA_DIR=str(tmp_path),
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="shuping.settings",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=run_env, check=True, timeout=120, capture_output=True
    )
    return out.stdout.decode().strip()


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("postgres://u@127.0.0.1:5432/x", {}, "5"),
        ("postgres://u@127.0.0.1:5432/x", {"DB_PREPARED_STATEMENTS": "0"}, "None"),
        ("", {}, "None"),  # SQLite caches its statements itself
    ],
)
def test_prepared_statements_setting(
    tmp_path, url: str, env: dict[str, str], expected: str
) -> None:  # type: ignore[no-untyped-def]
    assert _threshold(tmp_path, url, **env) == expected
