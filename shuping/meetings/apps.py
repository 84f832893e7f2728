from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shuping.meetings"
    verbose_name = "述职评议会与民主测评"

    def ready(self) -> None:
        from shuping.accounts.todo import register_todo_provider
        from shuping.audit.labels import register
        from shuping.meetings import todo

        register_todo_provider("meetings.host", todo.host_todos)
        register_todo_provider("meetings.today", todo.organizer_todos)
        from shuping.meetings import hub
        from shuping.rounds.hub import (
            register_stage_link,
            register_status_column,
            register_step_link,
        )

        register_stage_link("meetings", hub.stage)
        register_status_column("meetings", "述职评议会", hub.column, order=30)
        register_step_link(("meeting", "members_meeting"), hub.step)
        from shuping.meetings import models as m
        from shuping.meetings.services import DEFAULT_CATEGORIES

        register(
            group=("meeting", "述职评议会"),
            actions={
                "meeting.create": "新建述职评议会",
                "meeting.update": "修改会议信息",
                "meeting.reorder": "调整述职顺序",
                "meeting.agenda_add": "增加述职人",
                "meeting.agenda_remove": "移出述职人",
                "meeting.expected_add": "添加应到人员",
                "meeting.walk_in": "现场登记签到",
                "meeting.attendee_remove": "删除应到人员",
                "meeting.sign_in": "签到",
                "meeting.sign_in_undo": "撤销签到",
                "meeting.quorum_override": "未达到会要求仍继续",
                "meeting.in_progress": "开始会议",
                "meeting.closed": "结束会议",
                "meeting.report_start": "开始述职",
                "meeting.report_end": "结束述职",
                "meeting.advance": "下一位述职",
                "meeting.question_add": "记录现场提问",
                "meeting.question_update": "修改提问和承诺",
                "meeting.critique_save": "保存点评",
                "meeting.critique_final": "点评定稿",
                "meeting.projector": "切换投屏内容",
            },
            fields={
                "kind": "会议类型",
                "starts_at": "开始时间",
                "place": "地点",
                "host": "主持人",
                "title": "名称",
                "order": "顺序",
                "reporter": "述职人",
                "speaks": "现场述职",
                "added": "添加人数",
                "name": "姓名",
                "category": "类别",
                "method": "签到方式",
                "measured": "到会情况",
                "status": "状态",
                "seconds": "用时（秒）",
                "current": "当前述职人",
                "promised_by": "承诺完成时间",
                "answer/promise/promised_by": "回答、承诺事项、承诺完成时间",
                "text": "内容",
            },
            values={
                "meeting.status": {
                    **dict(m.MeetingStatus.choices),
                    **dict(m.CritiqueStatus.choices),
                },
                "meeting.method": dict(m.SignInMethod.choices),
                "meeting.kind": {"members": "向党员大会述职", "committee": "向党委（党工委）述职"},
                "category": {**dict(DEFAULT_CATEGORIES), "group": "领导小组成员"},
            },
        )
