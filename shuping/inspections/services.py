"""Recording inspections: one function per change, each audited in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from shuping.audit.services import record
from shuping.inspections.access import can_manage
from shuping.inspections.models import (
    Evidence,
    FindingKind,
    Inspection,
    InspectionFinding,
    Method,
)
from shuping.lib.errors import DomainError, PermissionDenied
from shuping.lib.types import Actor
from shuping.reports import uploads
from shuping.rounds.models import Campaign, Reporter

EVIDENCE_MAX = 10 * 1024 * 1024
MAX_FINDING_CHARS = 2000
MAX_EVIDENCE_PER_INSPECTION = 30


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _require_manager(actor: Actor, campaign: Campaign) -> None:
    if not can_manage(actor, campaign):
        raise PermissionDenied("只有组织单位的组织员可以记录督查调研。")


def _clean_reporters(campaign: Campaign, reporters: Iterable[Reporter | int]) -> list[int]:
    ids = sorted({r.pk if isinstance(r, Reporter) else int(r) for r in reporters})
    if not ids:
        raise DomainError("请至少选择一名督查对象。", field="reporters")
    found = set(Reporter.objects.filter(campaign=campaign, pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise DomainError("督查对象应是本轮的述职人。", field="reporters")
    return ids


def create_inspection(
    campaign: Campaign,
    *,
    actor: Actor,
    reporters: Iterable[Reporter | int],
    held_on: date,
    inspectors: str,
    method: str,
    announced: bool = False,
    note: str = "",
) -> Inspection:
    if method not in Method.values:
        raise DomainError("请选择督查方式。", field="method")
    who = (inspectors or "").strip()
    if not who:
        raise DomainError("请填写督查人员。", field="inspectors")
    if len(who) > 200:
        raise DomainError("督查人员不能超过 200 字。", field="inspectors")
    if not isinstance(held_on, date):
        raise DomainError("请填写日期。", field="held_on")
    with transaction.atomic():
        _require_manager(actor, campaign)
        ids = _clean_reporters(campaign, reporters)
        inspection = Inspection.objects.create(
            campaign=campaign,
            held_on=held_on,
            inspectors=who,
            method=method,
            announced=announced,
            note=(note or "").strip(),
            created_by=_user(actor),
        )
        inspection.reporters.set(ids)
        record(
            actor=actor,
            action="inspection.create",
            target=inspection,
            organization=campaign.committee,
            changes={"reporters": len(ids), "method": inspection.get_method_display()},
        )
    return inspection


def add_finding(
    inspection: Inspection, *, actor: Actor, reporter: Reporter | int, kind: str, text: str
) -> InspectionFinding:
    if kind not in FindingKind.values:
        raise DomainError("请选择发现的类别。", field="kind")
    body = (text or "").strip()
    if not body:
        raise DomainError("请填写内容。", field="text")
    if len(body) > MAX_FINDING_CHARS:
        raise DomainError(f"每条不能超过 {MAX_FINDING_CHARS} 字。", field="text")
    reporter_id = reporter.pk if isinstance(reporter, Reporter) else int(reporter)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _require_manager(actor, inspection.campaign)
        if not locked.reporters.filter(pk=reporter_id).exists():
            raise DomainError("这名述职人不是本次督查的对象。", field="reporter")
        order = locked.findings.count() + 1
        finding = InspectionFinding.objects.create(
            inspection=locked, reporter_id=reporter_id, kind=kind, text=body, order=order
        )
        record(
            actor=actor,
            action="inspection.finding",
            target=inspection,
            organization=inspection.campaign.committee,
            changes={"kind": finding.get_kind_display()},
        )
    return finding


def delete_finding(finding: InspectionFinding, *, actor: Actor) -> None:
    inspection = finding.inspection
    with transaction.atomic():
        _require_manager(actor, inspection.campaign)
        InspectionFinding.objects.filter(pk=finding.pk).delete()
        record(
            actor=actor,
            action="inspection.finding_deleted",
            target=inspection,
            organization=inspection.campaign.committee,
            changes={"kind": finding.get_kind_display()},
        )


def check_evidence(data: bytes) -> uploads.Sniffed:
    """Photos and scans: JPG, PNG or PDF, checked by content like report uploads."""
    if not data:
        raise DomainError("文件是空的。", field="file")
    if len(data) > EVIDENCE_MAX:
        raise DomainError(f"佐证材料不能超过 {EVIDENCE_MAX // 1024 // 1024} MB。", field="file")
    kind = uploads.sniff(data)
    if kind is None or kind.extension not in (".jpg", ".png", ".pdf"):
        raise DomainError("只能上传 JPG、PNG 图片或 PDF 扫描件。", field="file")
    return kind


def add_evidence(
    inspection: Inspection, *, actor: Actor, data: bytes, name: str, caption: str = ""
) -> Evidence:
    kind = check_evidence(data)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _require_manager(actor, inspection.campaign)
        if locked.evidence.count() >= MAX_EVIDENCE_PER_INSPECTION:
            raise DomainError(
                f"每次督查最多上传 {MAX_EVIDENCE_PER_INSPECTION} 个佐证材料。", field="file"
            )
        evidence = Evidence(
            inspection=locked,
            original_name=uploads.clean_name(name),
            content_type=kind.content_type,
            extension=kind.extension,
            size=len(data),
            caption=(caption or "").strip()[:200],
            uploaded_by=_user(actor),
        )
        evidence.file.save(f"evidence{kind.extension}", ContentFile(data), save=False)
        evidence.save()
        record(
            actor=actor,
            action="inspection.evidence",
            target=inspection,
            organization=inspection.campaign.committee,
            changes={"file": evidence.original_name},
        )
    return evidence


def delete_inspection(inspection: Inspection, *, actor: Actor) -> None:
    with transaction.atomic():
        _require_manager(actor, inspection.campaign)
        record(
            actor=actor,
            action="inspection.delete",
            target=inspection,
            organization=inspection.campaign.committee,
        )
        for evidence in inspection.evidence.all():
            evidence.file.delete(save=False)
        inspection.delete()


def not_inspected(campaign: Campaign) -> QuerySet[Reporter]:
    """Reporters of the round no inspection has covered yet (one query)."""
    return (
        campaign.reporters.filter(inspections__isnull=True)
        .select_related("person", "organization")
        .order_by("order", "id")
    )
