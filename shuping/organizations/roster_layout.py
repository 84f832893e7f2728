"""The roster workbook (.xlsx) as both directions see it: sheet names, the columns
with their headers and allowed values, the posts in an organization, the template's
example rows, and where a problem sits in a file (`RowError`).

The export (`roster_export`) writes this layout and the import reads it (`roster_read`,
checked by `roster_check`, written by `roster_import`), so export -> import round-trips.
"""

from __future__ import annotations

from dataclasses import dataclass

from shuping.organizations.models import (
    Employment,
    Gender,
    MemberStatus,
    OrgKind,
    PersonCategory,
    Sector,
)

ORG_SHEET = "组织"
PERSON_SHEET = "人员"
NOTES_SHEET = "填写说明"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


YES, NO = "是", "否"
# The template's example rows carry this in their name, so an example left in the
# file is refused instead of creating a fake organization or person.
EXAMPLE_MARK = "（示例）"
EXAMPLE_MESSAGE = "这是模板中的示例行，请删除后再导入。"
# Post in the person's own organization, so secretaries round-trip through the file.
POST_SECRETARY, POST_DEPUTY, POST_COMMITTEE = "书记", "副书记", "委员"
POSTS = (POST_SECRETARY, POST_DEPUTY, POST_COMMITTEE)


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    width: int = 14
    choices: tuple[str, ...] = ()
    note: str = ""


ORG_COLUMNS: tuple[Column, ...] = (
    Column("组织编码", "code", True, 16, note="唯一编码，如 QW-01-003；再次导入时按此编码更新"),
    Column("组织名称", "name", True, 30),
    Column("类型", "kind", True, 10, tuple(OrgKind.labels)),
    Column("领域", "sector", True, 12, tuple(Sector.labels)),
    Column("上级组织编码", "parent", False, 16, note="最上级组织留空；上级可在本表或系统中已有"),
    Column("离退休党支部", "is_retiree_branch", False, 12, (YES, NO)),
    Column("排序", "sort_order", False, 8, note="整数，越小越靠前"),
)
PERSON_COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", True, 10),
    Column("性别", "gender", False, 6, tuple(Gender.labels)),
    Column("出生日期", "birth_date", False, 12, note="如 1980-05-01、1980/5/1、1980年5月1日"),
    Column("身份证号", "id_number", False, 22, note="18 位；无身份证号时以姓名+出生日期识别"),
    Column("手机号", "phone", False, 14),
    Column("身份", "category", True, 12, tuple(PersonCategory.labels)),
    Column("所在组织编码", "organization", True, 16),
    Column("入党日期", "join_date", False, 12),
    Column("党员类别", "member_status", False, 10, tuple(MemberStatus.labels)),
    Column("在职状态", "employment", False, 10, tuple(Employment.labels)),
    Column("干部级别", "cadre_level", False, 10),
    Column("职务", "position", False, 20),
    Column("组织职务", "post", False, 10, POSTS, note="在所在组织中的职务：书记/副书记/委员"),
)
SHEETS: dict[str, tuple[Column, ...]] = {ORG_SHEET: ORG_COLUMNS, PERSON_SHEET: PERSON_COLUMNS}


EXAMPLE_ORG = ("QW-01-001", "示例社区党委", "党委", "街道社区", "QW-01", NO, 1)
EXAMPLE_PERSON = (
    "张三",
    "男",
    "1975-03-08",
    "",
    "",
    "党员",
    "QW-01-001",
    "2001-07-01",
    "正式党员",
    "在职",
    "",
    "社区党委书记",
    POST_SECRETARY,
)
