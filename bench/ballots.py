"""Benchmark: casting ballots against the production server (not a test).

    uv run python bench/ballots.py [--ballots 2000 --reporters 16 --clients 200
                                    --watchers 500 --db sqlite|postgres]

1. Sets up a fresh database (a temporary SQLite file, or a new PostgreSQL database
   on 127.0.0.1:5432 as user postgres, dropped afterwards), a meeting with N
   reporters and an open ballot with one token per ballot to cast.
2. Starts `shuping serve` (Granian, --workers × --threads) as a subprocess on a
   free port, DEBUG off, static files collected.
3. From this process (asyncio + httpx, on the same machine): measures /healthz
   requests per second with --clients connections, then has --clients concurrent
   clients (one keep-alive connection each, like phones) cast every ballot — the
   phone page's final POST, all rows filled — while --watchers clients poll the
   live turnout endpoint the way the host and projector pages do (every --poll
   seconds, a new connection per poll).
4. Prints ballots/s, the ratio to healthz rps, p50/p99 latency, errors, and
   checks that exactly ballots × reporters grades were stored, each ballot once.

The last line is machine-readable:
ballots_per_s=… healthz_rps=… ratio=… p50_ms=… p99_ms=… errors=… stored_ok=true|false
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GRADES = ["好", "较好", "一般", "差"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(args: argparse.Namespace, data_dir: Path) -> str:
    os.environ["SHUPING_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuping.settings"
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = "bench-" + "x" * 40
    if args.db == "postgres":
        name = f"shuping_bench_{os.getpid()}"
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    return url


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def set_up(args: argparse.Namespace) -> tuple[list[str], list[str], str, int]:
    """Fresh schema, a round with N reporters, a meeting and an open ballot with tokens."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from shuping.ballots import services
    from shuping.meetings.models import Meeting, MeetingReporter
    from shuping.organizations.models import OrgKind, Sector
    from shuping.organizations.services import create_organization, create_person
    from shuping.rounds.testing import make_campaign

    call_command("migrate", verbosity=0)
    root = create_organization(
        actor=None,
        parent=None,
        code="B",
        name="基准区委",
        kind=OrgKind.DISTRICT,
        sector=Sector.ORGAN,
    )
    orgs = []
    for i in range(args.reporters):
        org = create_organization(
            actor=None,
            parent=root,
            code=f"B{i:02d}",
            name=f"第{i + 1}党工委",
            kind=OrgKind.WORKING,
            sector=Sector.STREET,
        )
        person = create_person(actor=None, organization=org, name=f"书记{i + 1:02d}", gender="M")
        org.secretary = person
        org.save(update_fields=["secretary"])
        orgs.append(org)
    campaign = make_campaign(root, year=2026, reporters=orgs)
    # A ballot opens only while its meeting runs.
    meeting = Meeting.objects.create(
        campaign=campaign, title="基准测试述职评议会", status="in_progress"
    )
    for rep in campaign.reporters.all():
        MeetingReporter.objects.create(meeting=meeting, reporter=rep, order=rep.order)
    ballot = services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)
    category = ballot.categories[0]["key"]
    tokens: list[str] = []
    while len(tokens) < args.ballots:
        n = min(services.MAX_TOKENS_PER_ISSUE, args.ballots - len(tokens))
        tokens += services.issue_tokens(ballot, actor=None, category=category, count=n)
    keys = [row["key"] for row in ballot.rows()]
    connections.close_all()
    return tokens, keys, ballot.projector_key, ballot.pk


def verify(ballot_id: int, ballots: int, reporters: int) -> bool:
    """While open: one sealed sheet and one nullifier per ballot; then close (timed) and
    check the plain sheets, the rows and the digest."""
    from django.db import connections

    from shuping.ballots import services
    from shuping.ballots.models import Ballot, Mark, Nullifier, SealedSheet, Sheet

    connections.close_all()
    sealed = SealedSheet.objects.filter(ballot_id=ballot_id).count()
    spent = Nullifier.objects.filter(ballot_id=ballot_id).count()
    started = time.perf_counter()
    ballot = services.close_ballot(Ballot.objects.get(pk=ballot_id), actor=None)
    closing = time.perf_counter() - started
    marks = Mark.objects.filter(ballot_id=ballot_id).count()
    sheets = Sheet.objects.filter(ballot_id=ballot_id).count()
    print(
        f"stored: sealed={sealed} nullifiers={spent}; after close ({closing:.2f} s):"
        f" sheets={sheets} marks={marks} digest_ok={services.verify_digest(ballot)}"
    )
    return (
        sealed == spent == sheets == ballots
        and marks == ballots * reporters
        and services.verify_digest(ballot)
    )


def start_server(port: int, args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "shuping.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]
    out = log.open("wb")
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


async def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if proc.poll() is not None:
                raise SystemExit("server exited early")
            try:
                if (await client.get(f"{base}/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not start")


async def measure_healthz(base: str, clients: int, seconds: float) -> float:
    done = 0
    tls = ssl.create_default_context()
    pool = [httpx.AsyncClient(timeout=30, verify=tls) for _ in range(clients)]
    end = time.perf_counter() + seconds
    start = time.perf_counter()

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.perf_counter() < end:
            r = await client.get(f"{base}/healthz")
            if r.status_code == 200:
                done += 1

    await asyncio.gather(*(loop(c) for c in pool))
    elapsed = time.perf_counter() - start
    for c in pool:
        await c.aclose()
    return done / elapsed


async def cast_all(
    base: str, tokens: list[str], keys: list[str], key: str, args: argparse.Namespace
) -> tuple[float, list[float], int, int]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for t in tokens:
        queue.put_nowait(t)
    latencies: list[float] = []
    errors = 0
    polls = 0
    stop = asyncio.Event()
    rnd = random.Random(7)
    # One client (one keep-alive connection) per simulated phone: a shared httpx pool
    # becomes the bottleneck with hundreds of connections. Watchers reconnect per poll,
    # as a browser polling every few seconds through a proxy would.
    voters = [httpx.AsyncClient(timeout=60) for _ in range(args.clients)]
    lookers = [
        httpx.AsyncClient(timeout=60, headers={"Connection": "close"}) for _ in range(args.watchers)
    ]

    async def voter(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            try:
                token = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            data = {k: rnd.choice(GRADES) for k in keys}
            data["action"] = "submit"
            t0 = time.perf_counter()
            try:
                r = await client.post(f"{base}/b/{token}", data=data)
                ok = r.status_code == 200 and "提交成功" in r.text
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            if not ok:
                errors += 1

    async def watcher(client: httpx.AsyncClient) -> None:
        nonlocal errors, polls
        await asyncio.sleep(rnd.random() * args.poll)
        while not stop.is_set():
            try:
                r = await client.get(f"{base}/b/p/{key}/turnout")
                polls += 1
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=args.poll)

    watchers = [asyncio.create_task(watcher(c)) for c in lookers]
    await asyncio.sleep(0.5)  # let the watchers start polling first
    start, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(voter(c) for c in voters))
    elapsed = time.perf_counter() - start
    print(f"load generator CPU while casting: {time.process_time() - cpu0:.2f} s")
    stop.set()
    await asyncio.gather(*watchers)
    for c in voters + lookers:
        await c.aclose()
    return elapsed, latencies, errors, polls


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--reporters", type=int, default=16)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--watchers", type=int, default=500)
    parser.add_argument("--poll", type=float, default=3.0, help="watchers' poll interval (s)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    # The production defaults of `shuping serve`: one worker per core, a few threads each
    # (Granian's backpressure, not the thread count, is what lets 200 phones stay connected).
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=min(8, (os.cpu_count() or 1) * 2 + 1))
    parser.add_argument("--healthz-seconds", type=float, default=3.0)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="shuping-bench-"))
    url = configure(args, data_dir)
    proc = None
    try:
        print(f"setting up {args.db}: {args.reporters} reporters, {args.ballots} tokens …")
        tokens, keys, key, ballot_id = set_up(args)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(port, args, data_dir / "server.log")
        asyncio.run(wait_ready(base, proc))
        print(f"server: granian, {args.workers} workers × {args.threads} threads on {base}")
        healthz = asyncio.run(measure_healthz(base, args.clients, args.healthz_seconds))
        print(f"healthz: {healthz:.0f} requests/s ({args.clients} clients)")
        elapsed, lat, errors, polls = asyncio.run(cast_all(base, tokens, keys, key, args))
        rate = len(tokens) / elapsed
        print(
            f"cast {len(tokens)} ballots × {len(keys)} rows in {elapsed:.2f} s "
            f"with {args.clients} clients; {args.watchers} watchers made {polls} turnout polls"
        )
        stored_ok = verify(ballot_id, args.ballots, len(keys))
        print(
            f"ballots_per_s={rate:.1f} healthz_rps={healthz:.1f} ratio={rate / healthz:.3f} "
            f"p50_ms={statistics.median(lat) * 1000:.1f} p99_ms={pct(lat, 0.99):.1f} "
            f"errors={errors} stored_ok={'true' if stored_ok else 'false'}"
        )
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        if args.db == "postgres":
            drop_postgres(url)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"kept {data_dir}")


if __name__ == "__main__":
    main()
