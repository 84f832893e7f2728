"""Benchmark: a province-size tree (not a test).

    uv run python bench/scale.py [--orgs 20000 --members 600000 --repeat 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME uv run python bench/scale.py

1. Builds, on the configured database (DATABASE_URL; a temporary SQLite file when
   unset), a tree of --orgs organizations (province → cities → committees → branches)
   and --members people with bulk inserts, unless a tree of that size is already there
   (so a second run measures without rebuilding; --rebuild forces it).
2. Measures, in this process through Django's test client (the real middleware and
   views) or the service a command would call, p50/p95 of the wall time over --repeat
   runs and the peak resident memory each adds (Linux VmHWM, reset before each run):
   tree pages, a node, the whole-tree member list (first and last page), member search,
   the API people list, roster export of the whole tree, import of --import-rows new
   people and its re-import, round creation over the whole subtree with sampling, that
   round's page and API reporter list, and QR slips for 1,000 tokens.

The last line is machine-readable: name=p95_ms/peak_mb pairs.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRESET = "003_quwei_liangji"
CODE = "S"  # every benchmark organization's code starts with it
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉海燕春晓"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number(i: int) -> str:
    """A valid, unique 18-digit ID number for person i (i < 18,000,000)."""
    born = date(1950, 1, 1) + timedelta(days=i % 18000)
    first = f"110101{born:%Y%m%d}{(i // 18000) % 1000:03d}"
    return first + ID_CHECK[sum(int(d) * w for d, w in zip(first, ID_WEIGHTS, strict=True)) % 11]


def person_name(i: int) -> str:
    r = random.Random(i)
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))


def import_name(i: int) -> str:
    """Names for imported rows: three given characters, so no two rows of the file (or
    a row and a stored person) share a name and a birth date by accident."""
    r = random.Random(-i)
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(3))


# ---------------------------------------------------------------- building


def layout(n_orgs: int) -> list[tuple[int, int | None, str]]:
    """(index, parent index, kind) in creation order: parents before children."""
    cities = max(2, n_orgs // 1000)
    committees = max(4, n_orgs // 50)
    out: list[tuple[int, int | None, str]] = [(0, None, "district")]
    out += [(1 + i, 0, "working") for i in range(cities)]
    base = 1 + cities
    out += [(base + i, 1 + i % cities, "committee") for i in range(committees)]
    first_branch = base + committees
    out += [
        (i, base + (i - first_branch) % committees, "branch") for i in range(first_branch, n_orgs)
    ]
    return out


def build(n_orgs: int, n_members: int) -> None:
    from django.db import connection, transaction

    from shuping.organizations.models import Organization, Person

    sectors = ["street", "rural", "soe", "school", "medical", "non_public", "social", "organ"]
    org_base = (Organization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    person_base = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    t0 = time.perf_counter()
    with transaction.atomic():
        nodes = layout(n_orgs)
        paths: dict[int, str] = {}
        batch: list[Organization] = []
        for i, parent, kind in nodes:
            pk = org_base + i
            paths[i] = f"{paths[parent] if parent is not None else '/'}{pk}/"
            # Every org but the root and one in twenty has a secretary: person_base + i.
            vacant = i == 0 or i % 20 == 7
            batch.append(
                Organization(
                    pk=pk,
                    code=f"{CODE}{i:06d}",
                    name=f"第{i}{'党委' if kind != 'branch' else '党支部'}",
                    kind=kind,
                    sector=sectors[i % len(sectors)],
                    parent_id=org_base + parent if parent is not None else None,
                    path=paths[i],
                    depth=paths[i].count("/") - 2,
                    secretary_id=None if vacant else person_base + i,
                    is_retiree_branch=kind == "branch" and i % 30 == 0,
                    sort_order=i,
                )
            )
            if len(batch) >= 2000:
                Organization.objects.bulk_create(batch)
                batch = []
        Organization.objects.bulk_create(batch)
        branches = [i for i, _, kind in nodes if kind == "branch"]

        def people() -> Iterator[Person]:
            for i in range(n_members):
                # The first n_orgs people are the secretaries, one in each org.
                org = i if i < n_orgs else branches[i % len(branches)]
                born = date(1950, 1, 1) + timedelta(days=i % 18000)
                yield Person(
                    pk=person_base + i,
                    name=person_name(i),
                    gender="M" if i % 2 else "F",
                    birth_date=born,
                    category="member",
                    organization_id=org_base + org,
                    join_date=born + timedelta(days=365 * 25),
                    member_status="full",
                    id_number=id_number(i) if i % 5 else "",
                    phone=f"139{i:08d}" if i % 3 else "",
                )

        chunk: list[Person] = []
        for p in people():
            chunk.append(p)
            if len(chunk) >= 5000:
                Person.objects.bulk_create(chunk)
                chunk = []
        Person.objects.bulk_create(chunk)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization, Person]):
                cursor.execute(sql)
            # VACUUM as autovacuum would have by now: index-only scans need the visibility map
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    took = time.perf_counter() - t0
    print(f"built {n_orgs} organizations and {n_members} people in {took:.0f} s")


# ---------------------------------------------------------------- measuring


def peak_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


RESULTS: list[tuple[str, float, float, float, float]] = []


def measure(name: str, fn: Callable[[], Any], repeat: int) -> Any:
    times: list[float] = []
    cpu: list[float] = []  # this process's CPU: steadier than wall time on a shared machine
    peak = 0.0
    out = None
    for _ in range(repeat):
        gc.collect()
        reset_peak()
        before = rss_kb()
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        peak = max(peak, (peak_kb() - before) / 1024)
        out = None if repeat > 1 else out
    p50 = statistics.median(times) * 1000
    p95 = sorted(times)[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000
    cpu50 = statistics.median(cpu) * 1000
    RESULTS.append((name, p50, p95, peak, cpu50))
    print(
        f"{name:<34} p50 {p50:9.1f} ms  p95 {p95:9.1f} ms  cpu {cpu50:9.1f} ms  "
        f"peak +{peak:7.1f} MB",
        flush=True,
    )
    return out


def get(client: Any, url: str, status: int = 200) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        if response.status_code != status:
            raise SystemExit(f"{url}: {response.status_code}")
        if getattr(response, "streaming", False):
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    return run


def import_file(n_orgs: int, rows: int, start: int) -> bytes:
    """`rows` new people spread over the tree's branches, with ID numbers."""
    from openpyxl import Workbook

    from shuping.organizations.roster_layout import PERSON_COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append([c.header for c in PERSON_COLUMNS])
    branches = [i for i, _, kind in layout(n_orgs) if kind == "branch"]
    for k in range(rows):
        i = start + k
        ws.append(
            [
                import_name(i),
                "男" if i % 2 else "女",
                (date(1950, 1, 1) + timedelta(days=i % 18000)).isoformat(),
                id_number(i),
                f"138{i:08d}",
                "党员",
                f"{CODE}{branches[i % len(branches)]:06d}",
                "2001-07-01",
                "正式党员",
                "在职",
                "",
                "",
                "",
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def drop_imported(root: Any) -> None:
    """Delete the people import_file made (phones 138…; the built ones have 139…) in
    two statements, not through the ORM's cascade collector."""
    from django.db import connection, transaction

    from shuping.organizations.models import MembershipPeriod, Person

    people = Person._meta.db_table
    periods = MembershipPeriod._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {periods} WHERE person_id IN "
            f"(SELECT id FROM {people} WHERE phone LIKE '138%%')"
        )
        cursor.execute(f"DELETE FROM {people} WHERE phone LIKE '138%%'")
        print(f"dropped {cursor.rowcount} imported people")


def round_rules() -> dict[str, Any]:
    """Preset 003's rules over the whole subtree, with two sampling rules."""
    from shuping.rounds.presets import get_preset

    data = dict(get_preset(PRESET).rules_data)
    scope = dict(data.get("scope", {}))
    scope.update(
        source="subtree",
        kinds=["committee", "branch"],
        expected_count=None,
        sampling=[
            {"count": 200, "sectors": ["non_public", "social"], "text": "两新组织抽取"},
            {"count": 100, "kinds": ["committee"], "text": "党委抽取"},
        ],
    )
    scope = {k: v for k, v in scope.items() if v is not None}
    data["scope"] = scope
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=20000)
    parser.add_argument("--members", type=int, default=600000)
    parser.add_argument("--import-rows", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip", default="", help="comma-separated measurement names to skip")
    parser.add_argument(
        "--drop-imported",
        action="store_true",
        help="delete the people an earlier run imported, so 'import new rows' is measured again",
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = Path(tempfile.mkdtemp(prefix="shuping-scale-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'scale.sqlite3'}"
        os.environ["SHUPING_DATA_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuping.settings"
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from shuping.accounts.models import RoleGrant
    from shuping.organizations.models import Organization, Person

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    root = Organization.objects.filter(code=f"{CODE}000000").first()
    if root is not None and args.rebuild:
        raise SystemExit("--rebuild: drop the database first (the tree is there)")
    if root is None:
        build(args.orgs, args.members)
        root = Organization.objects.get(code=f"{CODE}000000")
    n_orgs = Organization.objects.filter(root.subtree_q()).count()
    n_people = Person.objects.filter(root.subtree_q("organization__")).count()
    print(f"{connection.vendor}: {n_orgs} organizations, {n_people} people; load {os.getloadavg()}")
    from shuping.organizations.queries import people_total

    # The pages' totals come from the trigger-kept per-organization counts: say if they drift.
    counted = people_total(root, User(is_superuser=True), subtree=True)
    print(f"per-organization counts {'exact' if counted == n_people else f'WRONG: {counted}'}")

    admin, _ = User.objects.get_or_create(username="scale_admin", defaults={"is_superuser": True})
    organizer, created = User.objects.get_or_create(username="scale_organizer")
    if created:
        RoleGrant.objects.create(user=organizer, role="organizer", organization=root)
    client = Client()
    client.force_login(organizer)
    r = args.repeat
    branch = Organization.objects.filter(root.subtree_q(), kind="branch").order_by("path").first()
    assert branch is not None

    def want(name: str) -> bool:
        return name not in skip

    if want("pages"):
        get(client, "/org/")()  # start-up (imports, templates) is not the first page's cost
        measure("page tree", get(client, "/org/"), r)
        measure("page node (root)", get(client, f"/org/{root.pk}/"), r)
        measure("page node (branch)", get(client, f"/org/{branch.pk}/"), r)
        measure("page org search", get(client, "/org/?q=第12"), r)
        measure("page members first", get(client, f"/org/{root.pk}/?all=1"), r)
        measure("page members last", get(client, f"/org/{root.pk}/?all=1&page=last"), r)
        measure("page member search 张伟", get(client, f"/org/{root.pk}/?all=1&q=张伟"), r)
        measure("page member search 伟", get(client, f"/org/{root.pk}/?all=1&q=伟"), r)
        measure("page member search rare", get(client, f"/org/{root.pk}/?all=1&q=曾晓"), r)
        measure("page member search 3 chars", get(client, f"/org/{root.pk}/?all=1&q=王建国"), r)
    if want("api"):
        api = f"/api/v1/organizations/{root.pk}/people?subtree=true&limit=50"
        measure("api people first", get(client, api), r)
        measure("api people last", get(client, api + "&last=true"), r)
        measure("api people search", get(client, api + "&q=张伟"), r)
    if want("export"):
        measure("export whole tree", get(client, f"/org/{root.pk}/export.xlsx"), 1)
    if want("import"):
        from shuping.organizations.roster_import import import_roster
        from shuping.organizations.roster_read import COMMAND_MAX_BYTES, COMMAND_MAX_ROWS

        def import_roster_command(data: bytes) -> Any:
            # what `shuping import-roster` does (an upload is capped at 20,000 rows)
            return import_roster(
                data, actor=admin, max_rows=COMMAND_MAX_ROWS, max_bytes=COMMAND_MAX_BYTES
            )

        if args.drop_imported:
            drop_imported(root)
        start = args.members + 1_000_000
        existing = Person.objects.filter(id_number=id_number(start)).exists()
        data = import_file(args.orgs, args.import_rows, start)
        print(f"import file: {args.import_rows} rows, {len(data) / 1e6:.1f} MB")
        if not existing:
            result = measure("import new rows", lambda: import_roster_command(data), 1)
            print("  ", result.summary() if result else "")
        result = measure("re-import same rows", lambda: import_roster_command(data), 1)
        print("  ", result.summary() if result else "")
        del data
    if want("round"):
        from shuping.rounds.models import Campaign
        from shuping.rounds.services import create_campaign

        Campaign.objects.filter(committee=root).delete()
        rules = round_rules()
        campaign = measure(
            "round create (subtree, sampling)",
            lambda: create_campaign(root, actor=admin, preset=PRESET, year=2026, rules_data=rules),
            1,
        )
        print(f"   {campaign.reporters.count()} reporters")
        measure("page round", get(client, f"/rounds/{campaign.pk}/"), r)
        measure("api round reporters", get(client, f"/api/v1/rounds/{campaign.pk}/reporters"), r)
    if want("slips"):
        import secrets

        from shuping.ballots import exports
        from shuping.ballots.services import create_ballot
        from shuping.meetings.models import Meeting, MeetingReporter
        from shuping.rounds.models import Campaign

        campaign = Campaign.objects.filter(committee=root).first()
        if campaign is None:
            print("slips: needs the round (do not skip 'round')")
        else:
            meeting = Meeting.objects.create(campaign=campaign, title="基准测试述职评议会")
            for rep in campaign.reporters.order_by("order")[:10]:
                MeetingReporter.objects.create(meeting=meeting, reporter=rep, order=rep.order)
            ballot = create_ballot(meeting, actor=None)
            tokens = [secrets.token_urlsafe(16) for _ in range(1000)]
            category = ballot.categories[0]["key"]
            measure(
                "QR slips 1000 tokens",
                lambda: exports.slips_docx(
                    ballot, tokens, category=category, base_url="https://example.org/b"
                ),
                1,
            )
    print(
        " ".join(
            f"{n.replace(' ', '_')}={p95:.0f}ms/{cpu:.0f}cpu/{mb:.0f}MB"
            for n, _, p95, mb, cpu in RESULTS
        ),
    )


if __name__ == "__main__":
    main()
