"""The structured editor of an office preset: the rule dict as panels of fields and
repeating rows, and back.

The form never shows a code: rows carry their generated key in a hidden input, and
whatever the form does not show (the seed's notes, a field no panel names) is carried
over from the version being edited, row by row (hidden `src`: the row's place in that
version). Everything posts as plain fields, so adding or removing a row is a submit
button that re-renders the page; JavaScript is not needed.

Flow: `state_from_rules` (a version → raw strings) or `state_from_post` (a submit →
raw strings); `apply_action` adds or removes a row; `build_rules` turns the raw
strings into a rule dict with Chinese errors per form field, then runs `parse_rules`
and maps a `PresetError` path back to the field it concerns.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.http import QueryDict

from shuping.organizations.models import OrgKind, Sector
from shuping.rounds import rules as R
from shuping.rounds.rules import PresetError, parse_relative_date, parse_rules

# --- the schema ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str  # key in the rule dict (dotted for a sub-table: "quorum.mass_min_share")
    label: str
    kind: str = "text"  # text area int share bool choice multi list lines date ref points
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    required: bool = False
    min: int | None = None
    default: Any = None  # overrides the dataclass default when set
    ref: str = ""  # kind "ref": prefix of the group whose rows it names


@dataclass(frozen=True)
class Group:
    prefix: str  # form-name prefix of its rows; unique over the schema
    path: str  # where the list lives, from the parent row (or the root)
    label: str
    row_label: str
    cls: Any
    fields: tuple[Field, ...]
    key_prefix: str = ""  # rows carry a generated key
    children: tuple[Group, ...] = ()
    min_rows: int = 0


@dataclass(frozen=True)
class Block:
    at: str  # "" root, "@meta", or a dotted table path ("report", "member_review")
    cls: Any
    fields: tuple[Field, ...]
    label: str = ""


@dataclass(frozen=True)
class Panel:
    id: str
    label: str
    blocks: tuple[Block, ...] = ()
    groups: tuple[Group, ...] = ()
    help: str = ""


LEVELS = (("block", "不通过不得提交"), ("warn", "只提醒"), ("off", "不检查"))
CHECKS = (
    ("length", "总字数"),
    ("sections", "各部分字数"),
    ("shares", "各部分所占比例"),
    ("figures", "用数据和事例说话"),
    ("self_critique", "把自己摆进去"),
    ("subjective_causes", "分析主观原因"),
    ("rectification", "写明上年整改落实情况"),
    ("pages", "排版后页数"),
)
ROLES = (
    ("achievements", "主要成绩"),
    ("problems", "存在问题"),
    ("plans", "下步打算"),
    ("rectification", "整改落实情况"),
    ("other", "其他"),
)
YEARS = (("-1", "上一年"), ("0", "当年"), ("1", "次年"))
KINDS = tuple((k.value, str(k.label)) for k in OrgKind)
SECTORS = tuple((s.value, str(s.label)) for s in Sector)
GRADING_KINDS = (
    ("share_exceeds", "所列等次票数超过一定比例 → 定为某等次"),
    ("flag", "组织认定的情形（如重大失误）→ 定为某等次"),
    ("quota_max", "某等次名额上限"),
    ("quota_about", "某等次及以下约占一定比例（提示）"),
    ("ranking", "按得票排名"),
)
CONSEQUENCE_KINDS = (
    ("grade", "按综合评价等次"),
    ("repeated", "连续多年同一等次"),
    ("flag", "按组织认定的情形"),
)
TASK_KINDS = (
    ("talk", "约谈"),
    ("reminder_talk", "提醒谈话"),
    ("rectify", "限期整改"),
    ("accountability", "问责"),
    ("org_handling", "组织处理"),
    ("commend", "表彰奖励"),
    ("revoke_awards", "取消评先评优资格"),
)
OWNERS = (("committee", "组织单位"), ("reporter", "述职人"))
FILING_KINDS = (
    ("upload", "由组织单位上传"),
    ("plan", "工作方案（系统生成）"),
    ("reports", "述职报告和创新案例（系统生成）"),
    ("slides", "述职人上传的演示文稿"),
    ("booklet", "述职材料汇编（系统生成）"),
    ("meeting_record", "述职评议会记录（系统生成）"),
    ("tally", "测评结果汇总表（系统生成）"),
    ("results", "述职评议结果（系统生成）"),
    ("assessment", "综合评价汇总表和评价意见（系统生成）"),
    ("feedback", "反馈意见（系统生成）"),
    ("notice", "通报、公示（系统生成）"),
    ("rectification_plan", "整改方案（系统生成）"),
    ("rectification_ledger", "整改台账（系统生成）"),
    ("summary_report", "专题报告（在本系统撰写）"),
    ("member_review", "民主评议党员材料（系统生成）"),
    ("archive", "归档材料（系统生成）"),
)

SHARE_HELP = "比例可填百分比或分数，如 80% 或 1/3。"
DATE_HELP = ""

EVALUATORS = Group(
    "ev",
    "evaluators",
    "评议人员类别",
    "类别",
    R.EvaluatorCategory,
    (
        Field("title", "类别名称", required=True),
        Field("weight", "计票权重", "share", help="各类别票数按此比例折算；只有一类时填 100%"),
    ),
    key_prefix="cat",
)
TASKS = Group(
    "task",
    "tasks",
    "随之产生的任务",
    "任务",
    R.ConsequenceTaskRule,
    (
        Field("kind", "任务类别", "choice", TASK_KINDS),
        Field("title", "任务名称"),
        Field("due_days", "期限（批准等次后天数）", "int", min=1),
        Field("owner", "由谁办理", "choice", OWNERS),
        Field("only_flag", "仅在此情形下产生", "ref", ref="flg"),
    ),
)

PANELS: tuple[Panel, ...] = (
    Panel(
        "basic",
        "基本信息",
        blocks=(
            Block(
                "@meta",
                None,
                (
                    Field("title", "模板名称", required=True),
                    Field("description", "简要说明", "area"),
                ),
            ),
            Block(
                "",
                R.Rules,
                (
                    Field("content", "述职内容（每行一项）", "lines"),
                    Field("requirements", "工作要求（每行一项）", "lines"),
                ),
            ),
        ),
        help="“【年度】”“【上一年度】”处在建方案时填入实际年份，“【单位】”填入组织单位名称。",
    ),
    Panel(
        "report",
        "述职报告",
        help=SHARE_HELP,
        blocks=(
            Block(
                "report",
                R.ReportRules,
                (
                    Field("max_chars", "全文字数上限（不超过）", "int", min=1),
                    Field("target_chars", "全文字数（左右）", "int", min=1),
                    Field("tolerance", "“左右”允许的偏差", "share"),
                    Field("max_pages", "排版后页数上限", "int", min=1),
                    Field("requires_last_rectification", "须写上年整改落实情况", "bool"),
                    Field("review_before", "报告由谁审核"),
                    Field("superior_reads", "上级领导审阅报告", "bool"),
                    Field("summary_published", "公布报告摘要", "bool"),
                    Field("publication_range", "公布范围"),
                    Field("slides_minutes", "演示文稿对应的述职时长（分钟）", "int", min=1),
                    Field("requirements", "撰写要求（每行一项）", "lines"),
                ),
            ),
            Block(
                "report",
                R.ReportRules,
                tuple(
                    Field(f"checks.{key}", label, "choice", LEVELS, default="warn")
                    for key, label in CHECKS
                ),
                label="检查项目及其要求",
            ),
        ),
        groups=(
            Group(
                "sec",
                "report.sections",
                "报告的组成部分",
                "部分",
                R.Section,
                (
                    Field("title", "标题", required=True),
                    Field("role", "内容性质", "choice", ROLES),
                    Field("target_chars", "字数（左右）", "int", min=1),
                    Field("min_chars", "字数下限（不少于）", "int", min=1),
                    Field("max_chars", "字数上限（不超过）", "int", min=1),
                    Field("min_share", "占全文比例下限（不少于）", "share"),
                    Field("max_share", "占全文比例上限（不超过）", "share"),
                    Field("target_share", "占全文比例（约）", "share"),
                    Field("prefill_rectification", "打开时带入上年整改台账", "bool"),
                ),
                key_prefix="part",
                min_rows=1,
            ),
        ),
    ),
    Panel(
        "meetings",
        "述职评议会",
        help=SHARE_HELP,
        groups=(
            Group(
                "mtg",
                "meetings",
                "述职评议会",
                "会议",
                R.MeetingRule,
                (
                    Field("title", "会议名称", required=True),
                    Field("host", "主持人"),
                    Field("timing", "会议时间（文字）"),
                    Field("place", "会议地点"),
                    Field("minutes_per_report", "每人述职时间（分钟）", "int", min=1),
                    Field("participants", "参加人员（每行一项）", "lines"),
                    Field("agenda", "会议议程（每行一项）", "lines"),
                    Field(
                        "ballot_mode",
                        "测评方式",
                        "choice",
                        (
                            ("per_reporter", "每位述职人评一个等次"),
                            ("per_indicator", "按测评指标逐项评"),
                        ),
                    ),
                    Field("questions", "现场提问", "bool"),
                    Field("critique", "书记点评", "bool"),
                    Field("evaluates_written", "书面述职的也参加测评", "bool"),
                    Field("announce_on_spot", "当场公布测评结果", "bool"),
                    Field("ballot_comment", "测评票可写意见", "bool"),
                    Field(
                        "quorum.members_min_share",
                        "到会人数不少于应到的",
                        "share",
                    ),
                    Field(
                        "quorum.mass_min_share",
                        "群众代表不少于到会人数的",
                        "share",
                    ),
                    Field("@weight", "在综合计分中的权重", "share", help="不用综合计分时留空"),
                ),
                key_prefix="meeting",
                children=(EVALUATORS,),
                min_rows=1,
            ),
        ),
    ),
    Panel(
        "grades",
        "测评与评定",
        help=SHARE_HELP,
        blocks=(
            Block(
                "",
                R.Rules,
                (
                    Field(
                        "ballot_scale", "测评等次（由好到差，用顿号分隔）", "list", required=True
                    ),
                    Field("assessment_scale", "综合评价等次（由好到差）", "list", required=True),
                ),
            ),
            Block(
                "grading_method",
                R.GradingMethod,
                (
                    Field("points", "各测评等次的分值（0–100）", "points"),
                    Field("daily_weight", "日常管理得分的权重", "share"),
                    Field("text", "计分办法说明", "area"),
                ),
                label="综合计分（可不用）",
            ),
        ),
        groups=(
            Group(
                "ind",
                "indicators",
                "测评指标",
                "指标",
                R.Indicator,
                (
                    Field("title", "指标名称", required=True),
                    Field("description", "测评内容", "area"),
                ),
                key_prefix="ind",
            ),
            Group(
                "band",
                "grading_method.bands",
                "计分档次（分数以上）",
                "档次",
                R.GradeBand,
                (
                    Field("grade", "综合评价等次", required=True),
                    Field("min_score", "最低分（含）", "int", min=0),
                ),
            ),
            Group(
                "rule",
                "grading",
                "评定规则",
                "规则",
                R.GradingRule,
                (
                    Field("kind", "规则类型", "choice", GRADING_KINDS),
                    Field("grades", "所涉等次（顿号分隔）", "list"),
                    Field("share", "比例", "share"),
                    Field("count", "名额", "int", min=0),
                    Field("result", "结果等次"),
                    Field("title", "情形名称"),
                    Field("text", "原文表述", "area"),
                ),
            ),
        ),
    ),
    Panel(
        "results",
        "结果运用",
        blocks=(
            Block(
                "results",
                R.ResultsRules,
                (
                    Field("feedback_by", "反馈单位"),
                    Field("feedback_ways", "反馈方式（每行一项）", "lines"),
                    Field("announce", "通报结果", "bool"),
                    Field("announce_range", "通报范围"),
                    Field("notice", "公示结果", "bool"),
                    Field("notice_days", "公示期（天）", "int", min=1),
                    Field("notice_workdays", "公示期按工作日计算", "bool"),
                    Field("rectify_days", "整改期限（天）", "int", min=1),
                    Field("basis", "结果作为何种依据"),
                ),
            ),
        ),
        groups=(
            Group(
                "flg",
                "results.flags",
                "组织认定的情形",
                "情形",
                R.ResultFlag,
                (Field("title", "情形名称", required=True),),
                key_prefix="flag",
            ),
            Group(
                "cons",
                "consequences",
                "结果运用规则",
                "规则",
                R.Consequence,
                (
                    Field("kind", "依据", "choice", CONSEQUENCE_KINDS),
                    Field("grade", "综合评价等次"),
                    Field("flag", "组织认定的情形", "ref", ref="flg"),
                    Field("repeated_years", "连续年数", "int", min=0),
                    Field("actions", "处理方式（每行一项）", "lines"),
                    Field("annual_excellent_allowed", "年度考核可评优秀", "bool"),
                    Field("unit_awards_revoked", "取消该单位其他评先评优资格", "bool"),
                    Field("text", "原文表述", "area"),
                ),
                children=(TASKS,),
            ),
        ),
    ),
    Panel(
        "timeline",
        "时间安排",
        help="日期按述职年度推算：“当年”指述职年度，“次年”指其下一年。也可不填日期，改选“在此节点之后”并填天数。",
        groups=(
            Group(
                "ph",
                "timeline",
                "时间节点",
                "节点",
                R.Phase,
                (
                    Field("title", "事项", required=True),
                    Field("start", "开始日期", "date", help=DATE_HELP),
                    Field("due", "截止日期", "date", help=DATE_HELP),
                    Field("after", "或：在此节点之后", "ref", ref="ph"),
                    Field("within_days", "之后几天内", "int", min=0),
                    Field("note", "说明"),
                ),
                key_prefix="step",
            ),
        ),
    ),
    Panel(
        "scope",
        "述职范围和方式",
        blocks=(
            Block(
                "scope",
                R.ScopeRules,
                (
                    Field(
                        "source",
                        "述职对象来自",
                        "choice",
                        (("direct_children", "直属党组织"), ("subtree", "所辖全部党组织")),
                    ),
                    Field("kinds", "党组织类别（不选为全部）", "multi", KINDS),
                    Field("sectors", "领域（不选为全部）", "multi", SECTORS),
                    Field("exclude_kinds", "不参加的党组织类别", "multi", KINDS),
                    Field("exclude_retiree", "老年党支部书记除外", "bool"),
                    Field(
                        "vacancy",
                        "书记空缺时",
                        "choice",
                        (("flag", "列入名单并提示处理"), ("written", "由负责人书面述职")),
                    ),
                    Field("expected_count", "应述职人数", "int", min=1),
                    Field("members_report", "全体党员也向支部述职", "bool"),
                    Field("text", "范围表述", "area"),
                ),
            ),
            Block(
                "modes",
                R.ModeRules,
                (
                    Field(
                        "default",
                        "默认述职方式",
                        "choice",
                        (("onsite", "现场述职"), ("written", "书面述职")),
                    ),
                    Field("onsite_places", "现场述职名额（不限留空）", "int", min=0),
                    Field("onsite_sectors", "优先现场述职的领域", "multi", SECTORS),
                    Field("rotation_years", "每位书记至少现场述职一次的年限", "int", min=0),
                    Field("text", "方式表述", "area"),
                ),
                label="述职方式",
            ),
        ),
        groups=(
            Group(
                "smp",
                "scope.sampling",
                "随机抽取",
                "抽取规则",
                R.Sampling,
                (
                    Field("count", "抽取人数", "int", min=1, required=True),
                    Field("sectors", "从这些领域抽取", "multi", SECTORS),
                    Field("kinds", "从这些类别抽取", "multi", KINDS),
                    Field("text", "表述"),
                ),
            ),
        ),
    ),
    Panel(
        "filing",
        "备案材料",
        blocks=(
            Block(
                "",
                R.Rules,
                (
                    Field("filing_due", "报送截止日期", "date", help=DATE_HELP),
                    Field("filing_to", "报送单位"),
                ),
            ),
        ),
        groups=(
            Group(
                "fil",
                "filing_items",
                "备案材料清单",
                "材料",
                R.FilingItem,
                (
                    Field("title", "材料名称", required=True),
                    Field("kind", "来源", "choice", FILING_KINDS),
                    Field("required", "必须报送", "bool"),
                    Field("note", "说明"),
                ),
            ),
        ),
    ),
    Panel(
        "member_review",
        "民主评议党员",
        blocks=(
            Block(
                "member_review",
                R.MemberReviewRules,
                (
                    Field("enabled", "同时开展民主评议党员", "bool"),
                    Field("who", "评议对象"),
                    Field("scale", "评议等次（由好到差）", "list"),
                    Field("evaluators", "参加评议人员（顿号分隔）", "list"),
                    Field("self_eval_due", "个人自评截止", "date", help=DATE_HELP),
                    Field("committee_due", "支委会审议截止", "date", help=DATE_HELP),
                    Field("meeting_due", "党员大会截止", "date", help=DATE_HELP),
                    Field("publish_within_days", "会后几天内公示", "int", min=0),
                    Field("publish_days", "公示期（工作日）", "int", min=1),
                    Field("publish_where", "公示方式"),
                    Field("report_within_days", "公示结束后几天内上报", "int", min=0),
                    Field("member_confirms", "党员本人确认结果", "bool"),
                    Field("excellent_max_share", "优秀比例上限", "share"),
                    Field("link_days", "个人链接有效期（天）", "int", min=1),
                    Field("steps", "步骤（每行一项）", "lines"),
                    Field("text", "说明", "area"),
                ),
            ),
        ),
        groups=(
            Group(
                "mrc",
                "member_review.consequences",
                "评议结果运用",
                "规则",
                R.Consequence,
                (
                    Field("grade", "评议等次", required=True),
                    Field("actions", "处理方式（每行一项）", "lines"),
                ),
            ),
        ),
    ),
)

_PLACEHOLDERS = (
    ("{prev_year}", "【上一年度】"),
    ("{next_year}", "【下一年度】"),
    ("{year}", "【年度】"),
    ("{committee}", "【单位】"),
)
_SPLIT = re.compile(r"[、；;\n]+")


def all_groups() -> list[Group]:
    out: list[Group] = []

    def walk(group: Group) -> None:
        out.append(group)
        for child in group.children:
            walk(child)

    for panel in PANELS:
        for group in panel.groups:
            walk(group)
    return out


GROUPS = {g.prefix: g for g in all_groups()}


# --- raw state -------------------------------------------------------------------


@dataclass
class Row:
    src: int | None  # index in the base version's list; None for a new row
    key: str
    values: dict[str, Any]
    children: dict[str, list[Row]] = field(default_factory=dict)


@dataclass
class State:
    base: int  # version number being edited
    values: dict[str, Any]  # block fields by form name
    groups: dict[str, list[Row]]
    note: str = ""


def _get(data: dict[str, Any] | None, dotted: str) -> Any:
    node: Any = data or {}
    for part in dotted.split(".") if dotted else []:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _untemplate(text: str) -> str:
    for code, words in _PLACEHOLDERS:
        text = text.replace(code, words)
    return text


def _retemplate(text: str) -> str:
    for code, words in _PLACEHOLDERS:
        text = text.replace(words, code)
    return text


def share_text(value: Any) -> str:
    """ "4/5" → "80%", "1/3" → "1/3": a percentage where it is exact."""
    f = Fraction(str(value).strip())
    if (100 * f).denominator == 1:
        return f"{100 * f}%"
    return f"{f.numerator}/{f.denominator}"


def _raw(f: Field, value: Any) -> Any:
    """A stored value as the form shows it."""
    if f.kind == "date":
        if not value:
            return ("", "", "")
        offset, month, day = parse_relative_date(str(value))
        return (str(offset), str(month), "end" if day == R.MONTH_END else str(day))
    if value is None:
        return [] if f.kind == "multi" else ""
    if f.kind == "bool":
        return bool(value)
    if f.kind == "share":
        return share_text(value)
    if f.kind in ("list", "lines"):
        sep = "、" if f.kind == "list" else "\n"
        return _untemplate(sep.join(str(v) for v in value))
    if f.kind == "multi":
        return [str(v) for v in value]
    if f.kind in ("text", "area"):
        return _untemplate(str(value))
    return str(value)


def _default(cls: Any, dotted: str) -> Any:
    if cls is None:
        return None
    *heads, last = dotted.split(".")
    for head in heads:
        hint = typing.get_type_hints(cls).get(head)
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if not dataclasses.is_dataclass(hint):
            return None
        cls = hint
    for f in dataclasses.fields(cls):
        if f.name == last:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
    return None


def _field_default(f: Field, cls: Any) -> Any:
    return f.default if f.default is not None else _default(cls, f.name)


def _shown_default(f: Field, cls: Any) -> Any:
    """What a missing setting means, shown as such (a new quorum stays empty)."""
    value = _field_default(f, cls)
    if isinstance(value, Fraction):
        return str(value)
    if f.kind in ("text", "area", "list", "lines", "multi") or isinstance(value, dict):
        return None
    return value


def _filing_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """`filing` (titles) and `filing_items` (how each is produced) as one list."""
    items = {i.get("title"): i for i in data.get("filing_items") or []}
    rows = [dict(items.get(t) or {"title": t}) for t in data.get("filing") or []]
    rows += [
        dict(i)
        for i in data.get("filing_items") or []
        if i.get("title") not in (data.get("filing") or [])
    ]
    return rows


def _base_list(group: Group, parent: dict[str, Any]) -> list[dict[str, Any]]:
    if group.prefix == "fil":
        return _filing_rows(parent)
    return list(_get(parent, group.path) or [])


def _weights(data: dict[str, Any]) -> dict[str, Any]:
    return dict(_get(data, "grading_method.meeting_weights") or {})


def _row_from(group: Group, item: dict[str, Any], src: int, data: dict[str, Any]) -> Row:
    values: dict[str, Any] = {}
    for f in group.fields:
        if f.name == "@weight":
            weight = _weights(data).get(item.get("key", ""))
            values[f.name] = share_text(weight) if weight is not None else ""
        elif f.kind == "ref":
            values[f.name] = str(item.get(f.name) or "")
        else:
            value = _get(item, f.name)
            if value is None:
                value = _shown_default(f, group.cls)
            values[f.name] = _raw(f, value)
    children = {
        child.prefix: [
            _row_from(child, sub, i, data) for i, sub in enumerate(_base_list(child, item))
        ]
        for child in group.children
    }
    return Row(src=src, key=str(item.get("key", "")), values=values, children=children)


def _block_data(block: Block, meta: dict[str, Any], data: dict[str, Any]) -> Any:
    if block.at == "@meta":
        return meta
    return _get(data, block.at) if block.at else data


def block_name(block: Block, f: Field) -> str:
    return f"{block.at or 'rules'}.{f.name}".lstrip("@")


def state_from_rules(meta: dict[str, Any], data: dict[str, Any], *, base: int) -> State:
    values: dict[str, Any] = {}
    for panel in PANELS:
        for block in panel.blocks:
            source = _block_data(block, meta, data) or {}
            for f in block.fields:
                if f.kind == "points":
                    points = _get(data, "grading_method.points") or {}
                    values[block_name(block, f)] = [
                        str(points[g]) if g in points else "" for g in data.get("ballot_scale", [])
                    ]
                    continue
                value = _get(source, f.name)
                if value is None:
                    value = _shown_default(f, block.cls)
                values[block_name(block, f)] = _raw(f, value)
    groups = {
        g.prefix: [_row_from(g, item, i, data) for i, item in enumerate(_base_list(g, data))]
        for panel in PANELS
        for g in panel.groups
    }
    return State(base=base, values=values, groups=groups)


def _post_value(post: QueryDict, name: str, f: Field) -> Any:
    if f.kind == "bool":
        return post.get(name) == "on"
    if f.kind == "multi":
        return post.getlist(name)
    if f.kind == "date":
        return tuple(post.get(f"{name}_{p}", "").strip() for p in ("y", "m", "d"))
    if f.kind == "points":
        return post.getlist(name)
    return post.get(name, "")


def _rows_from_post(post: QueryDict, group: Group, prefix: str) -> list[Row]:
    rows = []
    i = 0
    while f"{prefix}{group.prefix}-{i}-src" in post:
        name = f"{prefix}{group.prefix}-{i}-"
        src = post.get(f"{name}src", "")
        row = Row(
            src=int(src) if src.isdigit() else None,
            key=post.get(f"{name}key", "").strip(),
            values={f.name: _post_value(post, name + f.name, f) for f in group.fields},
        )
        row.children = {c.prefix: _rows_from_post(post, c, name) for c in group.children}
        rows.append(row)
        i += 1
    return rows


def state_from_post(post: QueryDict) -> State:
    base = post.get("base", "")
    values = {
        block_name(block, f): _post_value(post, block_name(block, f), f)
        for panel in PANELS
        for block in panel.blocks
        for f in block.fields
    }
    groups = {g.prefix: _rows_from_post(post, g, "") for panel in PANELS for g in panel.groups}
    return State(
        base=int(base) if base.isdigit() else 0,
        values=values,
        groups=groups,
        note=post.get("note", "").strip()[:200],
    )


def _new_key(group: Group, rows: list[Row]) -> str:
    if not group.key_prefix:
        return ""
    used = {r.key for r in rows}
    n = len(rows) + 1
    while f"{group.key_prefix}{n}" in used:
        n += 1
    return f"{group.key_prefix}{n}"


def _empty_row(group: Group, rows: list[Row]) -> Row:
    values: dict[str, Any] = {}
    for f in group.fields:
        default = _field_default(f, group.cls) if f.name != "@weight" else None
        if f.kind == "bool":
            values[f.name] = bool(default)
        elif f.kind == "choice":
            values[f.name] = str(default or f.choices[0][0])
        else:
            values[f.name] = _raw(f, None)
    return Row(src=None, key=_new_key(group, rows), values=values)


def _locate(state: State, target: str) -> tuple[Group, list[Row], int | None] | None:
    """ "mtg-0-ev" → (evaluators group, the rows of meeting 0, None);
    "mtg-0-ev-1" → (…, …, 1). None for a name that matches nothing."""
    parts = target.split("-")
    if not parts or parts[0] not in GROUPS:
        return None
    group = GROUPS[parts[0]]
    rows = state.groups.get(group.prefix)
    if rows is None:
        return None
    parts = parts[1:]
    while parts:
        if not parts[0].isdigit():
            return None
        index = int(parts[0])
        if len(parts) == 1:
            return (group, rows, index) if index < len(rows) else None
        if index >= len(rows) or parts[1] not in GROUPS:
            return None
        child = GROUPS[parts[1]]
        if child not in group.children:
            return None
        rows = rows[index].children.setdefault(child.prefix, [])
        group = child
        parts = parts[2:]
    return group, rows, None


def apply_action(state: State, *, add: str = "", remove: str = "") -> str:
    """Add a row to the list `add` names or remove the row `remove` names; returns the
    panel to show open (empty when the name matches nothing)."""
    found = _locate(state, add or remove)
    if found is None:
        return ""
    group, rows, index = found
    if add and index is None:
        rows.append(_empty_row(group, rows))
    elif remove and index is not None and len(rows) > group.min_rows:
        rows.pop(index)
    return panel_of(group.prefix)


def panel_of(prefix: str) -> str:
    top = prefix.split("-")[0]
    for panel in PANELS:
        groups = {g.prefix for g in panel.groups}
        for g in panel.groups:
            groups.update(c.prefix for c in g.children)
        if top in groups:
            return panel.id
    return ""


# --- raw state → rule dict ---------------------------------------------------------


class FieldError(ValueError):
    pass


def parse_share(text: str) -> Fraction | None:
    text = text.strip().replace("％", "%").replace(" ", "")
    if not text:
        return None
    percent = text.endswith("%")
    try:
        value = Fraction(text.rstrip("%"))
    except (ValueError, ZeroDivisionError):
        raise FieldError("请填写百分比（如 80%）或分数（如 1/3）") from None
    if percent or value > 1:
        value /= 100
    if value < 0:
        raise FieldError("比例不能为负数")
    if value > 1:
        raise FieldError("比例不能超过100%")
    return value


def _date_value(parts: tuple[str, str, str]) -> str | None:
    year, month, day = parts
    if not month and not day:
        return None
    if not month or not day:
        raise FieldError("请把月和日都填上")
    if not month.isdigit() or not 1 <= int(month) <= 12:
        raise FieldError("月份应为 1 到 12")
    if day != "end" and not day.isdigit():
        raise FieldError("日应为数字，或选“月底”")
    text = f"+{year or '0'}-{int(month):02d}-{day if day == 'end' else f'{int(day):02d}'}"
    if year.startswith("-"):
        text = f"{year}-{int(month):02d}-{day if day == 'end' else f'{int(day):02d}'}"
    try:
        parse_relative_date(text)
    except ValueError:
        raise FieldError(f"{month}月没有{day}日") from None
    return text


def _convert(f: Field, raw: Any, base: Any) -> Any:
    """The stored value of one field; the base value when they mean the same, so an
    unchanged form gives back exactly the text it was opened with."""
    if f.kind == "bool":
        return bool(raw)
    if f.kind == "multi":
        allowed = {c for c, _ in f.choices}
        picked = [v for v in raw if v in allowed]
        if isinstance(base, list) and sorted(base) == sorted(picked):
            return base  # the same choice in the order it was written
        return picked
    if f.kind == "date":
        value = _date_value(raw)
        if value and base and parse_relative_date(str(base)) == parse_relative_date(value):
            return base
        return value
    text = raw.strip() if isinstance(raw, str) else ""
    if f.required and not text:
        raise FieldError("请填写此项")
    if f.kind in ("text", "area"):
        value = _retemplate(text)
        return base if isinstance(base, str) and base.strip() == value else value
    if f.kind in ("list", "lines"):
        parts = _SPLIT.split(text) if f.kind == "list" else text.splitlines()
        items = [_retemplate(p.strip()) for p in parts if p.strip()]
        if f.required and len(items) < 2:
            raise FieldError("至少填两档，用顿号分隔")
        return items
    if f.kind == "int":
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            raise FieldError("请填写整数") from None
        if f.min is not None and number < f.min:
            raise FieldError(f"不能小于{f.min}")
        return number
    if f.kind == "share":
        share = parse_share(text)
        if share is None:
            return None
        if base is not None and Fraction(str(base).strip()) == share:
            return base
        return str(share)
    if f.kind == "choice":
        if text not in {c for c, _ in f.choices}:
            raise FieldError("请从列表中选择")
        return text
    return text  # ref: checked against the rows it names by the caller


def _same(value: Any, default: Any) -> bool:
    if isinstance(default, Fraction) and isinstance(value, str):
        return Fraction(value) == default
    if isinstance(default, tuple) and isinstance(value, list):
        return tuple(value) == default
    return bool(value == default)


def _put(target: dict[str, Any], dotted: str, value: Any, default: Any) -> None:
    """Set a value unless it is the default and was not there before (an unchanged
    form must not add keys the text never had); None removes the key."""
    *heads, last = dotted.split(".")
    node: Any = target
    for head in heads:
        node = node.get(head) if isinstance(node, dict) else None
    present = isinstance(node, dict) and last in node
    if not present and (value is None or value in ([], "") or _same(value, default)):
        return
    if value is None:
        node.pop(last, None)
        return
    node = target
    for head in heads:
        node = node.setdefault(head, {})
    node[last] = value


@dataclass
class Built:
    data: dict[str, Any]
    meta: dict[str, Any]
    errors: dict[str, list[str]]
    paths: dict[str, str]  # rule path → form field name, for mapping PresetError


class _Builder:
    def __init__(self, state: State, base_meta: dict[str, Any], base: dict[str, Any]) -> None:
        self.state = state
        self.base = base
        self.out = copy.deepcopy(base)
        self.meta = dict(base_meta)
        self.errors: dict[str, list[str]] = {}
        self.paths: dict[str, str] = {}
        self.weights: dict[str, Any] = {}
        self.keys: dict[str, dict[str, str]] = {}  # group prefix → key → title (refs)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def value(self, name: str, f: Field, raw: Any, base: Any) -> Any:
        try:
            return _convert(f, raw, base)
        except FieldError as exc:
            self.error(name, str(exc))
            return base

    def blocks(self) -> None:
        for panel in PANELS:
            for block in panel.blocks:
                if block.at == "@meta":
                    for f in block.fields:
                        name = block_name(block, f)
                        value = self.value(
                            name, f, self.state.values.get(name), self.meta.get(f.name)
                        )
                        if value or f.name in self.meta:
                            self.meta[f.name] = value or ""
                    continue
                existed = not block.at or _get(self.base, block.at) is not None
                target = self._table(block.at)
                for f in block.fields:
                    name = block_name(block, f)
                    path = f"{block.at}.{f.name}" if block.at else f.name
                    self.paths[path] = name
                    raw = self.state.values.get(name)
                    if f.kind == "points":
                        self._points(target, name, raw or [])
                        continue
                    value = self.value(name, f, raw, _get(_get(self.base, block.at) or {}, f.name))
                    _put(target, f.name, value, _field_default(f, block.cls))
                if not existed and not target and block.at:
                    self._drop(block.at)

    def _table(self, at: str) -> dict[str, Any]:
        node = self.out
        for part in at.split(".") if at else []:
            node = node.setdefault(part, {})
        return node

    def _drop(self, at: str) -> None:
        *heads, last = at.split(".")
        node = self._table(".".join(heads)) if heads else self.out
        node.pop(last, None)

    def _points(self, target: dict[str, Any], name: str, raw: list[str]) -> None:
        scale = self.out.get("ballot_scale") or []
        before = dict(_get(self.base, "grading_method.points") or {})
        points: dict[str, int] = {}
        for i, grade in enumerate(scale):
            text = raw[i].strip() if i < len(raw) else ""
            if not text:
                continue
            if not text.isdigit() or int(text) > 100:
                self.error(f"{name}.{i}", "分值应为 0 到 100 的整数")
                continue
            points[grade] = int(text)
        if points or "points" in target:
            target["points"] = points if points != before else before
        self.paths["grading_method.points"] = f"{name}.0"

    def groups(self) -> None:
        # refs need every row's key first: generate keys, then build
        for prefix, rows in self.state.groups.items():
            self._keys(GROUPS[prefix], rows)
        for panel in PANELS:
            for group in panel.groups:
                rows = self.state.groups.get(group.prefix, [])
                if group.prefix == "fil":
                    self._filing(group, rows)
                    continue
                built = self._rows(group, rows, self.base, "", group.path)
                path = group.path
                if built or _get(self.base, path) is not None:
                    *heads, last = path.split(".")
                    parent = self._table(".".join(heads)) if heads else self.out
                    parent[last] = built
        self._meeting_weights()

    def _keys(self, group: Group, rows: list[Row]) -> None:
        if group.key_prefix:
            for row in rows:
                if not row.key or not re.fullmatch(r"[A-Za-z0-9_]+", row.key):
                    row.key = _new_key(group, rows)
            seen: set[str] = set()
            for row in rows:
                if row.key in seen:
                    row.key = _new_key(group, rows)
                seen.add(row.key)
            titles = self.keys.setdefault(group.prefix, {})
            for row in rows:
                titles[row.key] = str(row.values.get("title", ""))
        for row in rows:
            for child in group.children:
                self._keys(child, row.children.get(child.prefix, []))

    def _rows(
        self, group: Group, rows: list[Row], base_parent: dict[str, Any], prefix: str, at: str
    ) -> list[dict[str, Any]]:
        base_rows = _base_list(group, base_parent)
        out = []
        for i, row in enumerate(rows):
            name = f"{prefix}{group.prefix}-{i}-"
            path = f"{at}[{i}]"
            base_row = (
                base_rows[row.src] if row.src is not None and row.src < len(base_rows) else {}
            )
            item = copy.deepcopy(base_row)
            if group.key_prefix:
                item = {"key": row.key, **{k: v for k, v in item.items() if k != "key"}}
            for f in group.fields:
                self.paths[f"{path}.{f.name}"] = name + f.name
                raw = row.values.get(f.name)
                if f.name == "@weight":
                    value = self.value(name + f.name, f, raw, _weights(self.base).get(row.key))
                    self.weights[row.key] = value
                    continue
                if f.kind == "ref":
                    value = str(raw or "")
                    if value and f.ref == group.prefix and value == row.key:
                        self.error(name + f.name, "不能选择本项自己")
                        value = ""
                    elif value and value not in self.keys.get(f.ref, {}):
                        self.error(name + f.name, "请从列表中选择")
                        value = ""
                    _put(item, f.name, value, "")
                    continue
                value = self.value(name + f.name, f, raw, _get(base_row, f.name))
                _put(item, f.name, value, _field_default(f, group.cls))
            for sub in ("quorum",):
                if sub in item and not item[sub] and sub not in base_row:
                    del item[sub]
            self.paths[path] = name + group.fields[0].name
            for child in group.children:
                children = row.children.get(child.prefix, [])
                built = self._rows(child, children, base_row, name, f"{path}.{child.path}")
                if built or child.path in base_row:
                    item[child.path] = built
            out.append(item)
        return out

    def _filing(self, group: Group, rows: list[Row]) -> None:
        base_rows = _filing_rows(self.base)
        had_items = {i.get("title") for i in self.base.get("filing_items") or []}
        use_filing = bool(self.base.get("filing")) or not self.base.get("filing_items")
        titles: list[str] = []
        items: list[dict[str, Any]] = []
        for i, row in enumerate(rows):
            name = f"fil-{i}-"
            base_row = (
                base_rows[row.src] if row.src is not None and row.src < len(base_rows) else {}
            )
            item = copy.deepcopy(base_row)
            for f in group.fields:
                value = self.value(name + f.name, f, row.values.get(f.name), base_row.get(f.name))
                _put(item, f.name, value, _field_default(f, group.cls))
            titles.append(item.get("title", ""))
            described = base_row.get("title") in had_items or any(
                k != "title"
                and item.get(k) not in (None, _field_default(Field(k, ""), R.FilingItem))
                for k in item
            )
            if described:
                for f in group.fields:
                    self.paths[f"filing_items[{len(items)}].{f.name}"] = name + f.name
                items.append(item)
        if use_filing and (titles or "filing" in self.base):
            self.out["filing"] = titles
        if items or "filing_items" in self.base:
            self.out["filing_items"] = items
        for i in range(len(rows)):
            self.paths.setdefault(f"filing[{i}]", f"fil-{i}-title")

    def _meeting_weights(self) -> None:
        weights = {k: v for k, v in self.weights.items() if v is not None}
        before = _weights(self.base)
        if weights == before:
            return
        method = self.out.setdefault("grading_method", {})
        if weights:
            method["meeting_weights"] = weights
        else:
            method.pop("meeting_weights", None)


def _check_form(built: Built, state: State) -> None:
    """What the rules check only by path, or not at all, said at the field."""
    data = built.data
    ballot = data.get("ballot_scale") or []
    assessment = data.get("assessment_scale") or []
    grades = set(ballot) | set(assessment)
    err = built.errors.setdefault
    for i, rule in enumerate(data.get("grading") or []):
        for grade in rule.get("grades") or []:
            if grade not in grades:
                err(f"rule-{i}-grades", []).append(f"等次“{grade}”不在测评或综合评价等次中")
        if rule.get("result") and rule["result"] not in assessment:
            err(f"rule-{i}-result", []).append(f"等次“{rule['result']}”不在综合评价等次中")
        expected = (data.get("scope") or {}).get("expected_count")
        if rule.get("count") is not None and expected is not None and rule["count"] > expected:
            err(f"rule-{i}-count", []).append(f"名额不能超过应述职人数（{expected}人）")
    for i, cons in enumerate(data.get("consequences") or []):
        if cons.get("grade") and cons["grade"] not in assessment:
            err(f"cons-{i}-grade", []).append(f"等次“{cons['grade']}”不在综合评价等次中")
    modes, scope = data.get("modes") or {}, data.get("scope") or {}
    places, expected = modes.get("onsite_places"), scope.get("expected_count")
    if places is not None and expected is not None and places > expected:
        err("modes.onsite_places", []).append(f"现场名额不能超过应述职人数（{expected}人）")
    for i, sample in enumerate(scope.get("sampling") or []):
        if expected is not None and sample.get("count", 0) > expected:
            err(f"smp-{i}-count", []).append(f"抽取人数不能超过应述职人数（{expected}人）")
    for i, phase in enumerate(data.get("timeline") or []):
        start, due = phase.get("start"), phase.get("due")
        if start and due and _resolve_cmp(start, due):
            err(f"ph-{i}-due", []).append("截止日期不能早于开始日期")
        if phase.get("after") and phase.get("within_days") is None:
            err(f"ph-{i}-within_days", []).append("选了“在此节点之后”，请填写天数")
    for i, band in enumerate(_get(data, "grading_method.bands") or []):
        if band.get("grade") and band["grade"] not in assessment:
            err(f"band-{i}-grade", []).append(f"等次“{band['grade']}”不在综合评价等次中")
        if band.get("min_score") is not None and band["min_score"] > 100:
            err(f"band-{i}-min_score", []).append("分数线应在 0 到 100 之间")
    built.errors = {k: v for k, v in built.errors.items() if v}


def _resolve_cmp(start: str, due: str) -> bool:
    """True when `due` falls before `start` in any year (month ends differ by year)."""
    return any(
        R.resolve_relative_date(due, year) < R.resolve_relative_date(start, year)
        for year in (2023, 2024)
    )


_ASCII_WORD = re.compile(r"[A-Za-z_]{2,}")


def _field_for(path: str, paths: dict[str, str]) -> str:
    probe = path
    while probe:
        if probe in paths:
            return paths[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return ""


def build_rules(state: State, base_meta: dict[str, Any], base: dict[str, Any]) -> Built:
    """The rule dict the form describes, with Chinese errors by form field name."""
    builder = _Builder(state, base_meta, base)
    builder.blocks()
    builder.groups()
    built = Built(builder.out, builder.meta, builder.errors, builder.paths)
    if built.errors:
        return built
    _check_form(built, state)
    if built.errors:
        return built
    try:
        parse_rules(built.data)
    except PresetError as exc:
        name = _field_for(exc.path, built.paths)
        message = exc.message
        if _ASCII_WORD.search(message):  # a message written for the text editor
            message = "此项设置与其他设置不一致，请检查"
        built.errors.setdefault(name or "__all__", []).append(message)
    return built


# --- rendering -------------------------------------------------------------------


@dataclass
class BoundField:
    name: str
    label: str
    kind: str
    value: Any
    errors: list[str]
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass
class BoundRow:
    name: str  # "mtg-0"
    number: int
    src: int | None
    key: str
    fields: list[BoundField]
    children: list[BoundGroup]
    removable: bool


@dataclass
class BoundGroup:
    name: str  # the add-button value: "mtg" or "mtg-0-ev"
    label: str
    row_label: str
    rows: list[BoundRow]
    errors: list[str]


@dataclass
class BoundBlock:
    label: str
    fields: list[BoundField]


@dataclass
class BoundPanel:
    id: str
    label: str
    help: str
    blocks: list[BoundBlock]
    groups: list[BoundGroup]
    open: bool
    error_count: int


DAYS = (*tuple((str(d), f"{d}日") for d in range(1, 32)), ("end", "月底"))
MONTHS = tuple((str(m), f"{m}月") for m in range(1, 13))


def _bind(
    f: Field, name: str, value: Any, errors: dict[str, list[str]], refs: dict[str, Any]
) -> BoundField:
    choices = f.choices
    if f.kind == "ref":
        choices = (
            ("", "（不选）"),
            *tuple((k, t or "（未命名）") for k, t in refs.get(f.ref, {}).items()),
        )
    return BoundField(
        name=name,
        label=f.label,
        kind=f.kind,
        value=value,
        errors=errors.get(name, []),
        help=f.help,
        choices=choices,
        required=f.required,
    )


def _bind_rows(
    group: Group, rows: list[Row], prefix: str, errors: dict[str, list[str]], refs: dict[str, Any]
) -> BoundGroup:
    bound = []
    for i, row in enumerate(rows):
        name = f"{prefix}{group.prefix}-{i}"
        fields = [
            _bind(f, f"{name}-{f.name}", row.values.get(f.name), errors, refs) for f in group.fields
        ]
        children = [
            _bind_rows(c, row.children.get(c.prefix, []), f"{name}-", errors, refs)
            for c in group.children
        ]
        bound.append(
            BoundRow(name, i + 1, row.src, row.key, fields, children, len(rows) > group.min_rows)
        )
    return BoundGroup(f"{prefix}{group.prefix}", group.label, group.row_label, bound, [])


def bind(
    state: State, errors: dict[str, list[str]], *, open_panel: str = "", ballot_scale: list[str]
) -> list[BoundPanel]:
    refs: dict[str, dict[str, str]] = {}
    for prefix, rows in state.groups.items():
        if GROUPS[prefix].key_prefix:
            refs[prefix] = {r.key: str(r.values.get("title", "")) for r in rows if r.key}
    panels = []
    for panel in PANELS:
        blocks = []
        for block in panel.blocks:
            fields: list[BoundField] = []
            for f in block.fields:
                name = block_name(block, f)
                value = state.values.get(name)
                if f.kind == "points":
                    raw = list(value or [])
                    fields.extend(
                        BoundField(
                            name,
                            f"“{grade}”的分值",
                            "int",
                            raw[i] if i < len(raw) else "",
                            errors.get(f"{name}.{i}", []),
                        )
                        for i, grade in enumerate(ballot_scale)
                    )
                    continue
                fields.append(_bind(f, name, value, errors, refs))
            blocks.append(BoundBlock(block.label, fields))
        groups = [
            _bind_rows(g, state.groups.get(g.prefix, []), "", errors, refs) for g in panel.groups
        ]
        names = [bf.name for b in blocks for bf in b.fields]
        count = sum(1 for n in errors if n in names or panel_of(n) == panel.id)
        panels.append(
            BoundPanel(
                panel.id,
                panel.label,
                panel.help,
                blocks,
                groups,
                open=panel.id == open_panel or count > 0,
                error_count=count,
            )
        )
    return panels
