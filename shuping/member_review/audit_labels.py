"""Chinese words for the audit actions this app records (see audit/labels.py)."""

from __future__ import annotations

from shuping.audit.labels import register


def register_audit_labels() -> None:
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
