"""Secret ballots (民主测评), secret by construction — even from whoever holds the database.

Three worlds that must never meet:

* **Who may vote** — `BallotToken`: the SHA-256 of a one-time token, the ballot
  and the evaluator category. Written when slips are issued and never again: no
  `used` flag, no time of use, no sheet reference. The raw token exists only on
  the printed slip.
* **Which slips are spent** — `Nullifier`: HMAC-SHA256 of the raw token under a key
  derived from the server secret (see sealing.py), and the ballot. Its primary key
  makes a second cast of one token impossible whatever the concurrency. It cannot
  be joined to a token row: one holds SHA-256(token), the other HMAC(key, token).
* **What was chosen** — while the ballot is open only `SealedSheet` (AES-GCM
  ciphertext of fixed length per ballot, key outside the database). At close the
  sealed sheets and the matched paper forms become plain `Sheet`s (ballot,
  evaluator category, channel, optional comment) and `Mark`s (agenda entry,
  indicator, grade, validity), all inserted in random order in one transaction,
  and the sealed rows are deleted and vacuumed away.

Casting is one transaction: insert the nullifier if the ballot is open (ON
CONFLICT DO NOTHING: rowcount 1, else refuse) and the sealed sheet. A nullifier
and a sealed sheet share a transaction id (PostgreSQL `xmin`) and neighbouring
physical positions — which tells nothing without the server secret, because one
is a keyed hash and the other ciphertext. Plain sheets never exist before close,
and at close they all share one transaction id and a random physical order, so
neither `xmin`, `ctid`/rowid, dead tuples nor the WAL tell the order of casting.
Sheet and mark primary keys are random UUIDs; no timestamp is stored on either.

Paper forms are transcribed twice by two different clerks (`PaperEntry`, one
row per clerk and sheet number); only sheet numbers whose two passes agree become
`Sheet`s (channel "paper") when the ballot closes. Sheet numbers are written by
the counters after the box is opened, so they follow the counting order, not
the order forms were handed out (the form and the entry screen say so).

The README's threat model says in plain words what someone with the database,
or with the database and the server secret, can and cannot learn.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models


def _public_key() -> str:
    # The projector results page needs no login: the key is the capability.
    return secrets.token_urlsafe(18)


class BallotState(models.TextChoices):
    DRAFT = "draft", "准备中"
    OPEN = "open", "测评中"
    CLOSED = "closed", "已结束"


# The only moves a ballot makes; services check every change against this table.
TRANSITIONS: dict[str, frozenset[str]] = {
    BallotState.DRAFT: frozenset({BallotState.OPEN}),
    BallotState.OPEN: frozenset({BallotState.CLOSED}),
    BallotState.CLOSED: frozenset(),
}


class Channel(models.TextChoices):
    ELECTRONIC = "electronic", "手机扫码"
    PAPER = "paper", "纸质票"


class MarkStatus(models.TextChoices):
    VALID = "valid", "有效"
    NONE = "none", "未选"
    MULTIPLE = "multiple", "多选"


class Ballot(models.Model):
    """One 民主测评 of a meeting (optionally for one evaluator category only)."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="述职评议会",
        on_delete=models.CASCADE,
        related_name="ballots",
    )
    # "" = every evaluator category of the meeting; else one category key.
    category = models.CharField("测评人类别", max_length=40, blank=True, default="")
    title = models.CharField("测评名称", max_length=200)
    state = models.CharField(
        "状态", max_length=10, choices=BallotState.choices, default=BallotState.DRAFT
    )
    # Snapshots taken at open, so the sheets stay readable whatever changes later.
    items = models.JSONField("测评对象", default=list)  # [{"id", "name", "position", "org"}]
    scale = models.JSONField("等次", default=list)
    indicators = models.JSONField("测评指标", default=list)  # [{"key", "title"}] per_indicator
    categories = models.JSONField("测评人类别及权重", default=list)  # [{"key","title","weight"}]
    mode = models.CharField("测评方式", max_length=20, default="per_reporter")
    allow_comment = models.BooleanField("意见建议栏", default=False)
    paper_handed_out = models.PositiveIntegerField("发出纸质票", default=0)
    override_reason = models.TextField("未达到会人数要求仍开始测评的理由", blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField("票据摘要(SHA-256)", max_length=64, blank=True)
    closed_tally = models.JSONField("结束时的统计结果", null=True, blank=True)
    projector_key = models.CharField(max_length=40, unique=True, default=_public_key)

    class Meta:
        verbose_name = "民主测评"
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "category"], name="ballot_one_per_scope")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == BallotState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == BallotState.CLOSED

    def category_title(self, key: str) -> str:
        for cat in self.categories:
            if cat["key"] == key:
                return str(cat["title"])
        return key or "全体"

    def rows(self) -> list[dict[str, Any]]:
        """The rows of one sheet, in sheet order: one per reporter, or per reporter×indicator."""
        if self.mode == "per_indicator" and self.indicators:
            return [
                {"item": it, "indicator": ind, "key": f"r{it['id']}_{ind['key']}"}
                for it in self.items
                for ind in self.indicators
            ]
        return [{"item": it, "indicator": None, "key": f"r{it['id']}"} for it in self.items]


# --- who took part --------------------------------------------------------------


class BallotToken(models.Model):
    """A one-time token, known only by its hash. Never written after issue."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="tokens")
    category = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        verbose_name = "测评二维码"

    def __str__(self) -> str:
        return "测评二维码"  # never show the hash


class Nullifier(models.Model):
    """A spent token: HMAC of the raw token under a server-held key (sealing.nullifier)."""

    value = models.CharField(max_length=64, primary_key=True)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "已提交标记"

    def __str__(self) -> str:
        return "已提交标记"


# --- what was chosen ------------------------------------------------------------


class Sheet(models.Model):
    """One filled-in ballot sheet. Carries no person, token, sequence or time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="sheets")
    category = models.CharField(max_length=40, blank=True, default="")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    comment = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "测评票"

    def __str__(self) -> str:
        return "测评票"


class Mark(models.Model):
    """One row of a sheet: the grade given to one reporter (on one indicator)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="marks")
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # covered by the (ballot, item) index
    item = models.PositiveBigIntegerField()  # MeetingReporter id (snapshot in Ballot.items)
    indicator = models.CharField(max_length=40, blank=True, default="")
    grade = models.CharField(max_length=20, blank=True, default="")  # "" unless valid
    status = models.CharField(max_length=10, choices=MarkStatus.choices)

    class Meta:
        verbose_name = "测评票行"
        indexes = [models.Index(fields=["ballot", "item"], name="ballot_mark_item")]

    def __str__(self) -> str:
        return "测评票行"


class SealedSheet(models.Model):
    """A cast sheet while its ballot is open: ciphertext only (sealing.seal)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+")
    box = models.BinaryField()

    class Meta:
        verbose_name = "密封测评票"

    def __str__(self) -> str:
        return "密封测评票"


# --- paper transcription (clerks, not voters) -------------------------------------


class PaperEntry(models.Model):
    """One clerk's transcription of one paper form. Two passes per sheet number."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="paper_entries")
    number = models.PositiveIntegerField("票号")
    pass_no = models.PositiveSmallIntegerField("录入轮次")  # 1 or 2
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    category = models.CharField("测评人类别", max_length=40, blank=True, default="")
    # {row key: [grades ticked]} — [] is 未选, two or more is 多选.
    choices = models.JSONField("录入内容", default=dict)
    comment = models.TextField("意见建议", blank=True, default="")

    class Meta:
        verbose_name = "纸质票录入"
        ordering = ["ballot_id", "number", "pass_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "number", "pass_no"], name="paper_entry_one_per_pass"
            )
        ]

    def __str__(self) -> str:
        return f"第{self.number}号票 第{self.pass_no}次录入"
