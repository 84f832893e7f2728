"""The data folder (database, secret key, uploads) is the server user's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os
os.umask(0o022)  # the usual default: files world-readable unless the code says otherwise
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
default_storage.save("filing/2026/证明.pdf", ContentFile(b"%PDF-"))
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(data: Path) -> None:
    env = {
        **os.environ,
        "SHUPING_DATA_DIR": str(data),
        "DATABASE_URL": "",
        "SECRET_KEY": "",
        "DJANGO_SETTINGS_MODULE": "shuping.settings",
    }
    subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True, timeout=120)


def test_created_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _run(data)
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "shuping.sqlite3") == 0o600
    for journal in data.glob("shuping.sqlite3-*"):  # -wal and -shm take the file's mode
        assert _mode(journal) == 0o600, journal.name
    assert _mode(data / "media") == 0o700
    assert _mode(data / "media" / "filing" / "2026") == 0o700
    assert _mode(data / "media" / "filing" / "2026" / "证明.pdf") == 0o600
    assert not _mode(data / "static") & 0o077


def test_an_open_data_folder_is_closed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    _run(data)
    assert _mode(data) == 0o700
