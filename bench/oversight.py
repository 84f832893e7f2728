"""Benchmark: the superior's dashboard on a province-sized tree (not a test).

    uv run python bench/oversight.py [--orgs 20000 --db sqlite|postgres --repeat 3]

1. Sets up a fresh database (a temporary SQLite file, or a new PostgreSQL database on
   127.0.0.1:5432 as user postgres, dropped afterwards).
2. Builds a tree of --orgs organizations with bulk_create (a province, its cities,
   districts, committees and branches), a 2026 round for every committee with its
   reporters and deadlines, filings in every state, three rectification items per
   reporter (some done, some overdue) and a member review (民主评议党员) for every
   branch in every stage — seconds, not minutes.
3. Times the dashboard for the province (the aggregation alone, then the whole page
   through the client with its SVG charts) and prints the figures; the last line is
   machine-readable: orgs=… rounds=… queries=… dashboard_ms=… page_ms=…
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure(db: str, data_dir: Path) -> str:
    os.environ["SHUPING_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuping.settings"
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECRET_KEY"] = "bench-" + "x" * 40
    if db == "postgres":
        import psycopg

        name = f"shuping_bench_oversight_{os.getpid()}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    return url


def build(total: int) -> tuple[int, int]:
    """A tree of about `total` nodes; returns (root id, rounds created)."""
    from datetime import date

    from shuping.filing.models import Filing, FilingState
    from shuping.organizations.models import Organization, OrgKind, Sector
    from shuping.rounds.models import Campaign, CampaignStatus, Deadline, PlanFiling, Reporter
    from shuping.rounds.testing import sample_rules

    rnd = random.Random(2026)
    orgs: list[Organization] = []
    next_id = [1]

    def add(parent: Organization | None, name: str, kind: str) -> Organization:
        pk = next_id[0]
        next_id[0] += 1
        path = f"{parent.path if parent else '/'}{pk}/"
        node = Organization(
            pk=pk,
            code=f"N{pk}",
            name=name,
            kind=kind,
            sector=Sector.ORGAN,
            parent=parent,
            path=path,
            depth=path.count("/") - 2,
        )
        orgs.append(node)
        return node

    # province → 16 cities → 10 districts → 8 committees → branches (the rest)
    root = add(None, "省委", OrgKind.DISTRICT)
    committees: list[Organization] = []
    districts: list[Organization] = []
    for c in range(16):
        city = add(root, f"第{c + 1}市委", OrgKind.DISTRICT)
        for d in range(10):
            district = add(city, f"{city.name}第{d + 1}区委", OrgKind.DISTRICT)
            districts.append(district)
            for k in range(8):
                committees.append(add(district, f"{district.name}第{k + 1}工委", OrgKind.WORKING))
    branches_each = max(1, -(-(total - len(orgs)) // len(committees)))
    for committee in committees:
        for b in range(branches_each):
            add(committee, f"{committee.name}第{b + 1}支部", OrgKind.BRANCH)
    Organization.objects.bulk_create(orgs, batch_size=2000)

    rules = sample_rules(filing=[])
    runners = [root, *[o for o in orgs if o.kind != OrgKind.BRANCH and o.pk != root.pk]]
    campaigns = [
        Campaign(
            committee=o,
            year=2026,
            title=f"{o.name}2026年度述职评议考核",
            preset_key="bench",
            rules=rules,
            status=rnd.choice([CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.ACTIVE]),
        )
        for o in runners
    ]
    Campaign.objects.bulk_create(campaigns, batch_size=2000)
    by_org = {c.committee_id: c for c in Campaign.objects.filter(year=2026)}
    parent_of = {o.pk: o.parent_id for o in orgs}
    followers = []
    for committee_id, campaign in by_org.items():
        above = by_org.get(parent_of.get(committee_id) or 0)
        if above is not None:
            campaign.parent = above  # 比照: a sub-round of the committee above
            followers.append(campaign)
    Campaign.objects.bulk_update(followers, ["parent"], batch_size=2000)
    children: dict[int, list[int]] = {}
    for o in orgs:
        if o.parent_id:
            children.setdefault(o.parent_id, []).append(o.pk)
    Reporter.objects.bulk_create(
        (
            Reporter(campaign_id=by_org[p].pk, organization_id=child, order=i)
            for p, kids in children.items()
            if p in by_org
            for i, child in enumerate(kids)
        ),
        batch_size=5000,
    )
    Deadline.objects.bulk_create(
        (
            Deadline(campaign=c, key=key, title=key, due_on=due)
            for c in by_org.values()
            for key, due in (("report_due", date(2027, 1, 20)), ("meeting", date(2026, 11, 30)))
        ),
        batch_size=5000,
    )
    PlanFiling.objects.bulk_create(
        PlanFiling(campaign=c, kind="plan") for c in by_org.values() if rnd.random() < 0.6
    )
    Filing.objects.bulk_create(
        Filing(campaign=c, state=rnd.choice(list(FilingState.values)), is_late=rnd.random() < 0.1)
        for c in by_org.values()
        if rnd.random() < 0.3
    )
    # rectification: three items per reporter, in every status, some past their deadline
    from shuping.member_review.models import MemberReview, Stage
    from shuping.rectification.models import Item, ItemStatus

    statuses = list(ItemStatus.values)
    Item.objects.bulk_create(
        (
            Item(
                organization_id=org_id,
                year=2026,
                reporter_id=reporter_id,
                number=n,
                problem=f"问题{n}",
                status=rnd.choice(statuses),
                deadline=date(2026, rnd.choice([1, 6, 12]), 1),
            )
            for reporter_id, org_id in Reporter.objects.values_list("pk", "organization_id")
            for n in (1, 2, 3)
        ),
        batch_size=5000,
    )
    # one member review per branch, in the round of its committee
    stages = list(Stage.values)
    MemberReview.objects.bulk_create(
        (
            MemberReview(
                campaign=by_org[o.parent_id],
                branch=o,
                stage=rnd.choice(stages),
                self_eval_due=date(2026, 11, 30),
                meeting_due=date(2026, 12, 31),
            )
            for o in orgs
            if o.kind == OrgKind.BRANCH and o.parent_id in by_org
        ),
        batch_size=5000,
    )
    return root.pk, len(by_org)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=20000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="shuping-bench-"))
    url = configure(args.db, data_dir)
    try:
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from shuping.organizations.models import Organization
        from shuping.oversight.queries import dashboard

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        started = time.perf_counter()
        root_id, rounds = build(args.orgs)
        n_orgs = Organization.objects.count()
        print(
            f"tree: {n_orgs} organizations, {rounds} rounds, built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        root = Organization.objects.get(pk=root_id)
        times = []
        cpu = []  # SQLite runs in this process: its CPU time is the work, whatever the load
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                board = dashboard(root, year=2026, today=timezone.localdate())
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            n_queries = len(queries)
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
            print("slowest queries (s):", ", ".join(q["time"] for q in slowest))
        f = board.figures
        print(
            f"dashboard: {board.total} rounds, {len(board.branches)} branches, "
            f"{n_queries} queries, best {min(times) * 1000:.0f} ms "
            f"(process CPU {min(cpu) * 1000:.0f} ms); "
            f"rectification {f.rect_done}/{f.rect_items} done ({f.rect_percent}%), "
            f"{f.rect_overdue} overdue; member reviews {f.mr_done}/{f.mr_total} archived, "
            f"{f.mr_overdue} overdue"
        )
        admin = User.objects.create_superuser("bench", password="bench-pass-123")
        client = Client()
        client.force_login(admin)
        page_times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(f"/oversight/?org={root_id}&year=2026")
            page_times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        print(f"page: best {min(page_times) * 1000:.0f} ms")
        print(
            f"orgs={n_orgs} rounds={board.total} items={f.rect_items} reviews={f.mr_total} "
            f"queries={n_queries} "
            f"dashboard_ms={min(times) * 1000:.0f} page_ms={min(page_times) * 1000:.0f}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if args.db == "postgres":
            import psycopg

            name = url.rsplit("/", 1)[1]
            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
