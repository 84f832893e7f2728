"""`shuping verify-ballots [ID …]`: recompute every closed ballot's digest and tally.

For auditors: exits non-zero if any stored sheet changed since the ballot closed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuping.ballots import counting, services
from shuping.ballots.models import Ballot, BallotState


class Command(BaseCommand):
    help = "核验已结束测评的票据摘要和计票结果。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="测评 ID（默认全部已结束的测评）")

    def handle(self, *args: Any, **options: Any) -> None:
        ballots = Ballot.objects.filter(state=BallotState.CLOSED).select_related(
            "meeting__campaign"
        )
        if options["ids"]:
            ballots = ballots.filter(pk__in=options["ids"])
        failed = 0
        for ballot in ballots.order_by("pk"):
            digest_ok = counting.verify_digest(ballot)
            tally_ok = counting.recount(ballot) == ballot.closed_tally
            ok = digest_ok and tally_ok
            failed += not ok
            status = (
                "一致"
                if ok
                else "不一致！"
                + ("" if digest_ok else "摘要不符 ")
                + ("" if tally_ok else "重新计票结果不同")
            )
            self.stdout.write(f"{ballot.pk}\t{ballot.title}\t{status}")
        # A close interrupted before its clean-up (kill -9) may have left dead copies of
        # sealed rows; scrubbing again is cheap and idempotent.
        services.scrub_storage()
        if failed:
            raise CommandError(f"{failed} 个测评的票据与结束时不一致。")
