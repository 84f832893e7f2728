"""Chinese words for the audit actions this app records (see audit/labels.py)."""

from __future__ import annotations

from shuping.audit.labels import register


def register_audit_labels() -> None:
    register(
        group=("rectification", "整改台账"),
        actions={
            "rectification.create": "新增整改事项",
            "rectification.update": "修改整改事项",
            "rectification.delete": "删除整改事项",
            "rectification.complete": "报告整改完成",
            "rectification.sign_off": "整改销号",
            "rectification.send_back": "退回整改",
            "rectification.carry_over": "结转上年未完成事项",
            "rectification.import": "导入整改台账",
            "rectification.plan_submit": "报送整改方案",
            "rectification.plan_return": "退回整改方案",
            "rectification.plan_approve": "审定整改方案",
        },
    )
