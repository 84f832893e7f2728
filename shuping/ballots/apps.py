from django.apps import AppConfig


class BallotsConfig(AppConfig):
    """Secret ballots (民主测评): tokens, sheets, paper entry and the tally.

    Kept apart from meetings so the tables that must never be joined to a person
    live in one small, separately reviewed place."""

    name = "shuping.ballots"
    verbose_name = "民主测评"

    def ready(self) -> None:
        from shuping.accounts.todo import register_todo_provider
        from shuping.audit.labels import register
        from shuping.ballots import todo

        register_todo_provider("ballots.live", todo.live_ballot_todos)
        from shuping.ballots import hub
        from shuping.rounds.hub import register_stage_link, register_status_column

        register_stage_link("ballots", hub.stage)
        register_status_column("ballots", "民主测评", hub.column, order=40)
        from shuping.ballots.models import BallotState

        register(
            group=("ballot", "民主测评"),
            actions={
                "ballot.create": "新建民主测评",
                "ballot.issue_tokens": "生成扫码测评票",
                "ballot.paper_handed_out": "登记发出纸质票",
                "ballot.open": "开始测评",
                "ballot.paper_enter": "录入纸质票",
                "ballot.paper_correct": "更正纸质票录入",
                "ballot.close": "结束测评",
            },
            fields={
                "category": "类别",
                "issued": "生成张数",
                "paper_handed_out": "发出纸质票张数",
                "state": "状态",
                "number": "票号",
                "pass": "录入次序",
                "digest": "校验码",
                "sheets": "收回票数",
                "paper_excluded": "未计入的纸质票",
            },
            values={"ballot.state": dict(BallotState.choices)},
        )
        from shuping.ballots.panels import results_panel, turnout_panel
        from shuping.meetings.models import ProjectorMode
        from shuping.meetings.projector import register_projector_panel

        register_projector_panel(ProjectorMode.TURNOUT, turnout_panel)
        register_projector_panel(ProjectorMode.RESULTS, results_panel)
