"""Chinese words for the audit actions of the stages added in the second half
(assessment, inspections, results, the office calendar, the projector), registered
here until their own apps register them in their `AppConfig.ready()` — an app that
registers later overrides these. Strings only: the audit app imports none of them."""

from __future__ import annotations

from shuping.audit.labels import register


def register_stage_labels() -> None:
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
        group=("inspection", "督查调研"),
        actions={
            "inspection.create": "记录督查调研",
            "inspection.delete": "删除督查调研记录",
            "inspection.evidence": "上传调研材料",
            "inspection.finding": "记录发现的问题",
            "inspection.finding_deleted": "删除发现的问题",
        },
    )
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
    register(actions={"meeting.projector": "切换投屏内容"})
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
            "file": "文件",
            "method": "方式",
            "cancelled_tasks": "取消事项",
            "done_on": "完成日期",
            "is_workday": "工作日",
            "on": "日期",
            "results": "结果",
            "tasks": "事项",
            "way": "方式",
            "reason": "理由",
            "note": "说明",
            "score": "得分",
            "rank": "名次",
        }
    )
    register(
        group=("accounts", "账号与登录"),
        actions={"login.locked": "登录被暂停（失败次数过多）", "password.change": "修改密码"},
    )
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
    register(
        group=("member_review", "民主评议党员"),
        actions={
            "member_review.start": "启动民主评议党员",
            "member_review.advance": "进入下一环节",
            "member_review.issue_links": "发放个人评议二维码",
            "member_review.self_eval": "个人自评",
            "member_review.propose": "支委会提出评议意见",
            "member_review.determine": "核实审定等次",
            "member_review.confirm": "本人确认",
            "member_review.answer": "答复本人意见",
            "member_review.objection": "受理公示异议",
            "member_review.objection_answer": "答复公示异议",
            "member_review.report": "上报评议情况",
            "member_review.recommend": "推荐表彰",
            "member_review.helper": "确定帮扶人",
            "member_review.follow_up_record": "记录帮教情况",
            "member_review.follow_up_done": "帮教完成",
            "member_review.persuade": "记录劝退处理",
        },
    )
    register(
        group=("filing", "备案与归档"),
        actions={
            "filing.upload": "上传备案材料",
            "filing.remove_upload": "删除备案材料",
            "filing.excuse": "说明缺项原因",
            "filing.package": "生成并报送备案材料包",
            "filing.return": "退回备案",
            "filing.reopen": "重新打开备案",
            "campaign.archive": "归档考核方案",
            "campaign.reopen": "重新打开已归档方案",
            "campaign.carryover_freeze": "固定下一年度结转内容",
            "summary.draft": "起草专题报告",
            "summary.update": "修改专题报告",
        },
    )
