from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuping.reports"
    verbose_name = "述职报告"

    def ready(self) -> None:
        from shuping.meetings.prefill import register_critique_provider
        from shuping.reports.checks import length_page_conflict
        from shuping.reports.prefill import report_problems
        from shuping.rounds.notes import register_plan_note_provider

        register_critique_provider("reports.problems", report_problems)
        register_plan_note_provider("reports.pages", length_page_conflict)
        from shuping.accounts.todo import register_todo_provider
        from shuping.reports import todo

        register_todo_provider("reports.review", todo.review_todos)
        register_todo_provider("reports.mine", todo.reporter_todos)
        from shuping.reports import hub
        from shuping.rounds.hub import (
            register_stage_link,
            register_status_column,
            register_step_link,
        )

        register_stage_link("reports", hub.stage)
        register_status_column("reports", "述职报告", hub.column, order=20)
        register_step_link(("report_due", "preparation"), hub.step)
        _register_audit_labels()


def _register_audit_labels() -> None:
    from shuping.audit.labels import register
    from shuping.reports import models as m

    register(
        group=("report", "述职报告"),
        actions={
            "report.open": "开始撰写述职报告",
            "report.save": "保存述职报告",
            "report.import": "导入Word述职报告",
            "report.prefill": "生成述职报告初稿",
            "report.submit": "提交述职报告",
            "report.return": "退回述职报告",
            "report.approve": "审核通过述职报告",
            "report.read_by_superior": "上级阅知述职报告",
            "report.summarize": "撰写述职摘要",
            "report.publish_summary": "公布述职摘要",
            "report.case_save": "保存创新案例",
            "report.upload_picture": "上传案例配图",
            "report.upload_slides": "上传演示文稿",
            "report.delete_attachment": "删除附件",
        },
        fields={
            "state": "状态",
            "total_chars": "字数",
            "title": "标题",
            "subtitle": "副标题",
            "sections": "内容",
            "verdict": "检查结果",
            "message": "说明",
            "key": "部分",
            "kind": "类型",
            "name": "名称",
        },
        values={
            "report.state": dict(m.ReportState.choices),
            "report.kind": dict(m.AttachmentKind.choices),
        },
    )
