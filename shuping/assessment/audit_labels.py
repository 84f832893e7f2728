"""Chinese words for the audit actions this app records (see audit/labels.py)."""

from __future__ import annotations

from shuping.audit.labels import register


def register_audit_labels() -> None:
    register(
        group=("assessment", "综合评价"),
        actions={
            "assessment.inputs": "录入评价依据",
            "assessment.import_inputs": "导入评价依据",
            "assessment.flag": "标记重大情形",
            "assessment.flag_cleared": "撤销重大情形标记",
            "assessment.propose": "提出综合评价等次",
            "assessment.override": "调整综合评价等次",
            "assessment.opinion": "填写评价意见",
            "assessment.approve": "审定综合评价",
            "assessment.publish": "公布综合评价",
            "assessment.reopen": "重新打开综合评价",
        },
    )
    register(
        fields={
            "approved": "审定",
            "basis": "依据",
            "fields": "修改项",
            "flag": "标记",
            "flags": "标记",
            "grade": "等次",
            "minute_ref": "会议纪要",
            "warnings": "提示",
            "reason": "理由",
            "note": "说明",
            "score": "得分",
            "rank": "名次",
        }
    )
