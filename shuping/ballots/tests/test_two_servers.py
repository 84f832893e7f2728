"""Two `shuping serve` processes against one PostgreSQL database behave as one service:
a slip raced across both is counted once, a slip spent on one is spent on the other,
a ballot closed through one is closed on the other, and the turnout both report agrees
(the cache is shared, not per process). PostgreSQL only: SQLite is one machine's file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from shuping.ballots import casting, services
from shuping.ballots.models import Nullifier, SealedSheet

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, data: dict[str, str] | None = None) -> str:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        return response.read().decode()


@pytest.fixture
def two_servers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two servers share one PostgreSQL database")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "SECRET_KEY": settings.SECRET_KEY,  # the nullifiers and seals are keyed by it
        "SHUPING_DATA_DIR": str(tmp_path),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    ports, procs, logs = [_free_port(), _free_port()], [], []
    try:
        for i, port in enumerate(ports):
            cmd = [sys.executable, "-m", "shuping.cli", "serve", "--port", str(port)]
            cmd += ["--workers", "1", "--threads", "2"] + (["--no-collectstatic"] if i else [])
            log = (tmp_path / f"server{i}.log").open("wb")
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    cmd,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its workers go with it
                )
            )
            deadline = time.monotonic() + 90
            while True:
                try:
                    _get(f"http://127.0.0.1:{port}/healthz")
                    break
                except OSError:
                    if procs[-1].poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError((tmp_path / f"server{i}.log").read_text()) from None
                    time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=20)
        for log in logs:
            log.close()
        # The servers' connections close asynchronously; wait for them, so the test
        # database can be dropped at the end of the run.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.2)


def test_one_ballot_raced_across_two_servers(two_servers, open_ballot):
    a, b = two_servers
    category = open_ballot.categories[0]["key"]
    tokens = casting.issue_tokens(open_ballot, actor=None, category=category, count=12)
    form = {row["key"]: open_ballot.scale[0] for row in open_ballot.rows()}
    submit = {**form, "action": "submit"}

    # Each slip sent to both servers at once, ten times over: exactly one of each pair wins.
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(
            pool.map(
                lambda job: _get(f"{job[0]}/b/{job[1]}", submit),
                [(server, t) for t in tokens[:10] for server in (a, b)],
            )
        )
    wins = ["提交成功" in page for page in pages]
    assert sum(wins) == 10
    assert all(wins[i] != wins[i + 1] for i in range(0, 20, 2))
    assert SealedSheet.objects.filter(ballot=open_ballot).count() == 10
    assert Nullifier.objects.filter(ballot=open_ballot).count() == 10

    # Spent on one server, spent on the other; the turnout agrees on both.
    assert "提交成功" in _get(f"{a}/b/{tokens[10]}", submit)
    assert "已经提交过" in _get(f"{b}/b/{tokens[10]}", submit)
    key = open_ballot.projector_key
    assert _get(f"{a}/b/p/{key}/turnout") == _get(f"{b}/b/p/{key}/turnout")

    # Closed through the service (any process): the other server refuses the last slip.
    services.close_ballot(open_ballot, actor=None)
    page = _get(f"{b}/b/{tokens[11]}", submit)
    assert "提交成功" not in page and "结束" in page
    # The other server's poll may keep its answer for half a second (TURNOUT_LOCAL_SECONDS).
    deadline = time.monotonic() + 2
    while '"state": "closed"' not in _get(f"{a}/b/p/{key}/turnout").replace('":"', '": "'):
        assert time.monotonic() < deadline, "the close never reached the other server"
        time.sleep(0.1)
