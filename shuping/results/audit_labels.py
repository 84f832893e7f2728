"""Chinese words for the audit actions this app records (see audit/labels.py)."""

from __future__ import annotations

from shuping.audit.labels import register


def register_audit_labels() -> None:
    register(
        group=("results", "结果运用"),
        actions={
            "results.apply": "确定结果运用",
            "results.flags": "调整结果运用事项",
            "results.final": "结果运用定稿",
            "results.reopened": "重新打开结果运用",
            "results.feedback": "记录结果反馈",
            "results.announcement_draft": "起草通报",
            "results.announcement_edit": "修改通报",
            "results.announcement_issue": "印发通报",
            "results.notice_draft": "起草公示",
            "results.notice_edit": "修改公示",
            "results.notice_start": "开始公示",
            "results.notice_ended": "公示期满",
            "results.objection": "登记公示异议",
            "results.objection_decide": "处理公示异议",
            "results.task_due": "设定整改期限",
            "results.task_done": "完成结果运用事项",
            "results.task_overdue": "结果运用事项逾期",
            "results.task_cancel": "取消结果运用事项",
        },
    )
    register(
        group=("calendar", "工作日历"),
        actions={"calendar.correct": "更正工作日", "calendar.remove": "删除工作日更正"},
    )
    register(
        fields={
            "file": "文件",
            "cancelled_tasks": "取消事项",
            "done_on": "完成日期",
            "is_workday": "工作日",
            "on": "日期",
            "results": "结果",
            "tasks": "事项",
            "way": "方式",
        }
    )
