"""Chinese words for the audit actions this app records (see audit/labels.py)."""

from __future__ import annotations

from shuping.audit.labels import register


def register_audit_labels() -> None:
    register(
        group=("filing", "备案与归档"),
        actions={
            "filing.submit": "报送备案",
            "filing.acknowledge": "确认备案",
            "filing.upload": "上传备案材料",
            "filing.remove_upload": "删除备案材料",
            "filing.excuse": "说明缺项原因",
            "filing.package": "生成并报送备案材料包",
            "filing.return": "退回备案",
            "filing.reopen": "重新打开备案",
            "summary.draft": "起草专题报告",
            "summary.update": "修改专题报告",
        },
    )
    register(group=("summary", "备案与归档"))
