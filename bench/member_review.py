"""Benchmark: a district's 民主评议党员 review day against the production server (not a test).

    uv run python bench/member_review.py [--branches 300 --members 30 --clients 200
                                          --cast 0 --db sqlite|postgres]

1. Sets up a fresh database (see bench/ballots.py: a temporary SQLite file or a new
   PostgreSQL database), a committee with --branches branches of --members members,
   one member review per branch started in bulk, every branch moved to its members'
   meeting and its ballot opened, with one token per member (every member votes on
   every member of their branch).
2. Starts `shuping serve` as a subprocess, measures /healthz requests per second, then
   has --clients concurrent phones cast the sheets of all branches at once, in random
   branch order (--cast N casts only N sheets, to keep a run short).
3. Prints marks per second (a sheet carries one mark per member of the branch), the
   ratio to healthz rps, p50/p99 latency, errors, and checks what was stored.

The last line is machine-readable:
marks_per_s=… sheets_per_s=… healthz_rps=… ratio=… sheet_ratio=… p50_ms=… p99_ms=… errors=…
stored_ok=…  (ratio: marks/s ÷ healthz requests/s; sheet_ratio: sheets/s ÷ healthz)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ballots as common

GRADES = ["优秀", "合格", "基本合格", "不合格"]


def set_up(args: argparse.Namespace) -> tuple[list[tuple[str, list[str]]], list[int]]:
    """Branches, members, reviews at the members' meeting, open ballots, tokens.

    Returns [(token, row keys of its branch's sheet)] and the ballot ids."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from shuping.ballots import casting
    from shuping.ballots import services as ballots
    from shuping.meetings.models import Meeting
    from shuping.member_review import services
    from shuping.member_review.models import MemberEvaluation, MemberReview, Stage
    from shuping.organizations.models import Organization, OrgKind, Person, Sector
    from shuping.organizations.services import create_organization
    from shuping.rounds.presets import get_preset
    from shuping.rounds.testing import make_campaign

    call_command("migrate", verbosity=0)
    root = create_organization(
        actor=None,
        parent=None,
        code="B",
        name="基准区直机关工委",
        kind=OrgKind.WORKING,
        sector=Sector.ORGAN,
    )
    for i in range(args.branches):
        create_organization(
            actor=None,
            parent=root,
            code=f"B{i:03d}",
            name=f"第{i + 1}机关党支部",
            kind=OrgKind.BRANCH,
            sector=Sector.ORGAN,
        )
    branches = list(Organization.objects.filter(parent=root))
    Person.objects.bulk_create(
        [
            Person(name=f"党员{b.pk}-{j:02d}", organization=b, category="member")
            for b in branches
            for j in range(args.members)
        ],
        batch_size=2000,
    )
    rules = get_preset("000_shizong_jiguan").rules_data
    campaign = make_campaign(root, year=2026, rules=rules)
    t0 = time.perf_counter()
    services.start_member_reviews(campaign, actor=None)
    print(f"started {args.branches} reviews in bulk in {time.perf_counter() - t0:.2f} s")
    # Self-evaluation and committee review are not what is measured: set them in bulk.
    MemberEvaluation.objects.filter(review__campaign=campaign).update(proposed_grade="合格")
    MemberReview.objects.filter(campaign=campaign).update(stage=Stage.COMMITTEE)
    work: list[tuple[str, list[str]]] = []
    ballot_ids = []
    for review in MemberReview.objects.filter(campaign=campaign).select_related(
        "branch", "campaign"
    ):
        services.advance(review, actor=None, to=Stage.MEETING)
        review.refresh_from_db()
        ballot = services.meeting_ballot(review)
        assert ballot is not None
        # A ballot opens only while its meeting runs (the host starts it on the day).
        Meeting.objects.filter(pk=ballot.meeting_id).update(status="in_progress")
        ballot = ballots.open_ballot(ballot, actor=None)
        keys = [row["key"] for row in ballot.rows()]
        tokens = casting.issue_tokens(ballot, actor=None, category="member", count=args.members)
        work += [(t, keys) for t in tokens]
        ballot_ids.append(ballot.pk)
    connections.close_all()
    return work, ballot_ids


def verify(ballot_ids: list[int], sheets: int, marks: int) -> bool:
    """While open: one sealed sheet and one nullifier per cast; then close every ballot
    and check the plain sheets, their marks and each ballot's digest."""
    from django.db import connections

    from shuping.ballots import counting
    from shuping.ballots import services as ballots
    from shuping.ballots.models import Ballot, Mark, Nullifier, SealedSheet, Sheet

    connections.close_all()
    sealed = SealedSheet.objects.filter(ballot_id__in=ballot_ids).count()
    spent = Nullifier.objects.filter(ballot_id__in=ballot_ids).count()
    digests_ok = True
    for ballot in Ballot.objects.filter(pk__in=ballot_ids):
        closed = ballots.close_ballot(ballot, actor=None)
        digests_ok = digests_ok and counting.verify_digest(closed)
    got_marks = Mark.objects.filter(ballot_id__in=ballot_ids).count()
    got_sheets = Sheet.objects.filter(ballot_id__in=ballot_ids).count()
    print(
        f"stored: sealed={sealed} nullifiers={spent}; after close: sheets={got_sheets}"
        f" marks={got_marks} digests_ok={digests_ok}"
    )
    return sealed == spent == got_sheets == sheets and got_marks == marks and digests_ok


async def cast_all(
    base: str, work: list[tuple[str, list[str]]], clients: int
) -> tuple[float, list[float], int]:
    queue: asyncio.Queue[tuple[str, list[str]]] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    latencies: list[float] = []
    errors = 0
    rnd = random.Random(7)
    phones = [httpx.AsyncClient(timeout=60) for _ in range(clients)]

    async def phone(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            try:
                token, keys = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            data = {k: rnd.choices(GRADES, weights=[20, 75, 4, 1])[0] for k in keys}
            data["action"] = "submit"
            t0 = time.perf_counter()
            try:
                r = await client.post(f"{base}/b/{token}", data=data)
                ok = r.status_code == 200 and "提交成功" in r.text
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += not ok

    start = time.perf_counter()
    await asyncio.gather(*(phone(c) for c in phones))
    elapsed = time.perf_counter() - start
    for c in phones:
        await c.aclose()
    return elapsed, latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branches", type=int, default=300)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--cast", type=int, default=0, help="cast only this many sheets (0: all)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database", default="", help="use this DATABASE_URL (kept)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=min(8, (os.cpu_count() or 1) + 1))
    parser.add_argument("--healthz-seconds", type=float, default=3.0)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="shuping-bench-mr-"))
    url = common.configure(args, data_dir)
    proc = None
    try:
        print(f"setting up {args.db}: {args.branches} branches × {args.members} members …")
        t0 = time.perf_counter()
        work, ballot_ids = set_up(args)
        print(f"set up in {time.perf_counter() - t0:.1f} s")
        random.Random(3).shuffle(work)  # every branch's meeting at once
        if args.cast:
            work = work[: args.cast]
        port = common.free_port()
        base = f"http://127.0.0.1:{port}"
        proc = common.start_server(port, args, data_dir / "server.log")
        asyncio.run(common.wait_ready(base, proc))
        print(f"server: granian, {args.workers} workers × {args.threads} threads on {base}")
        # The same separate, lean generator as bench/ballots.py's, for the same figure.
        healthz = common.run_generator(
            {
                "port": port,
                "clients": args.clients,
                "phase": "healthz",
                "seconds": args.healthz_seconds,
            },
            data_dir,
        )["rps"]
        print(f"healthz: {healthz:.0f} requests/s ({args.clients} clients)")
        elapsed, lat, errors = asyncio.run(cast_all(base, work, args.clients))
        marks = sum(len(keys) for _, keys in work)
        print(f"cast {len(work)} sheets ({marks} marks) in {elapsed:.2f} s, {args.clients} clients")
        stored_ok = verify(ballot_ids, len(work), marks)
        sheets_per_s = len(work) / elapsed
        print(
            f"marks_per_s={marks / elapsed:.1f} sheets_per_s={sheets_per_s:.1f} "
            f"healthz_rps={healthz:.1f} ratio={marks / elapsed / healthz:.3f} "
            f"sheet_ratio={sheets_per_s / healthz:.3f} "
            f"p50_ms={statistics.median(lat) * 1000:.1f} p99_ms={common.pct(lat, 0.99):.1f} "
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
        if args.db == "postgres" and not args.database:
            common.drop_postgres(url)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
