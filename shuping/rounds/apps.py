from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "shuping.rounds"
    verbose_name = "述职评议考核方案"

    def ready(self) -> None:
        from shuping.accounts.todo import register_todo_provider
        from shuping.audit.labels import register
        from shuping.rounds import models as m
        from shuping.rounds import todo

        register_todo_provider("rounds.overdue", todo.overdue_todos)
        register_todo_provider("rounds.next", todo.next_due_todos)
        register_todo_provider("rounds.filings", todo.filing_todos)
        register_todo_provider("rounds.superior", todo.superior_todos)
        from django.urls import reverse

        from shuping.rounds.hub import register_step_link

        register_step_link(("plan",), lambda c: reverse("rounds:plan", args=[c.pk]))

        group = "考核方案"
        for prefix in ("campaign", "reporter", "deadline", "filing", "preset"):
            register(group=(prefix, group))
        register(
            actions={
                "campaign.create": "新建考核方案",
                "campaign.sample": "随机抽取述职对象",
                "campaign.status": "变更方案状态",
                "campaign.modes": "调整现场述职名额",
                "campaign.archive": "归档考核方案",
                "campaign.reopen": "重新打开已归档方案",
                "campaign.carryover_freeze": "固定下一年度结转内容",
                "reporter.add": "增加述职对象",
                "reporter.remove": "移出述职对象",
                "reporter.mode": "调整述职方式",
                "reporter.person": "更换述职人",
                "deadline.update": "修改时间节点",
                "deadline.complete": "完成时间节点",
                "filing.submit": "报送备案",
                "filing.acknowledge": "确认备案",
                "preset.copy": "复制方案模板",
                "preset.save": "修改方案模板",
            },
            fields={
                "preset": "方案模板",
                "year": "年度",
                "reporters": "述职对象人数",
                "onsite_places": "现场述职名额",
                "chosen": "抽中",
                "pool": "抽取范围",
                "rule": "抽取规则",
                "seed": "抽样种子",
                "count": "数量",
                "status": "状态",
                "modes": "述职方式",
                "mode": "述职方式",
                "person": "述职人",
                "title": "名称",
                "starts_on": "开始",
                "due_on": "截止",
                "completed_on": "完成日期",
                "meeting_on": "会议日期",
                "late": "逾期报送",
                "state": "状态",
                "based_on": "复制自",
                "version": "版本",
            },
            values={
                "campaign.status": dict(m.CampaignStatus.choices),
                "mode": dict(m.ReportMode.choices),
                "modes": dict(m.ReportMode.choices),
                "filing.kind": dict(m.FilingKind.choices),
                "filing.state": dict(m.FilingState.choices),
            },
            lists=("chosen", "pool"),
        )
