"""Chinese words for the audit actions this app records (see audit/labels.py)."""

from __future__ import annotations

from shuping.audit.labels import register


def register_audit_labels() -> None:
    register(
        group=("inspection", "督查调研"),
        actions={
            "inspection.create": "记录督查调研",
            "inspection.delete": "删除督查调研记录",
            "inspection.evidence": "上传调研材料",
            "inspection.finding": "记录发现的问题",
            "inspection.finding_deleted": "删除发现的问题",
        },
    )
