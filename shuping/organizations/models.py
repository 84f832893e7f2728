"""The organization tree and the people in it.

The tree is a materialized path ("/1/7/42/"): a subtree is one indexed prefix
query, which stays fast for a province-sized tree and works the same on SQLite
and PostgreSQL (where the index uses varchar_pattern_ops so LIKE 'x%' can use it).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuping.lib.masking import mask_id_number, mask_phone

# The materialized path holds every ancestor's id; a tree deeper than it allows (about
# 30 levels with 7-digit ids, where real ones have under 10) is refused with this
# message rather than stored cut short (PostgreSQL) or past its declared size (SQLite).
PATH_MAX_CHARS = 255
TREE_TOO_DEEP = "组织层级过深：系统最多支持约 30 级组织，请检查上级组织是否填写正确。"


class OrgKind(models.TextChoices):
    DISTRICT = "district", "区委"
    WORKING = "working", "党工委"
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"


class Sector(models.TextChoices):
    ORGAN = "organ", "机关"
    STREET = "street", "街道社区"
    RURAL = "rural", "农村"
    SOE = "soe", "国企"
    SCHOOL = "school", "学校"
    MEDICAL = "medical", "医疗卫生"
    NON_PUBLIC = "non_public", "非公企业"
    SOCIAL = "social", "社会组织"
    OTHER = "other", "其他"


# Kinds whose secretary is a "basic-level" secretary (基层党组织书记).
BASIC_KINDS = frozenset({OrgKind.GENERAL_BRANCH, OrgKind.BRANCH})
# Kinds that are committees and can organize a round for their subtree.
COMMITTEE_KINDS = frozenset({OrgKind.DISTRICT, OrgKind.WORKING, OrgKind.COMMITTEE})


class Organization(models.Model):
    code = models.CharField("组织编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    sector = models.CharField("领域", max_length=20, choices=Sector.choices, default=Sector.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_MAX_CHARS, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.IntegerField("排序", default=0)
    secretary = models.ForeignKey(
        "Person",
        verbose_name="书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="secretary_of",
    )
    deputy_secretary = models.ForeignKey(
        "Person",
        verbose_name="副书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy_secretary_of",
    )
    committee_members: models.ManyToManyField[Person, Any] = models.ManyToManyField(
        "Person", verbose_name="委员", blank=True, related_name="committee_of"
    )
    is_retiree_branch = models.BooleanField("离退休(老年)党支部", default=False)
    is_active = models.BooleanField("有效", default=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = "党组织"
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["parent", "sort_order"], name="org_parent_order_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_basic_level(self) -> bool:
        return self.kind in BASIC_KINDS

    @property
    def is_committee(self) -> bool:
        return self.kind in COMMITTEE_KINDS

    @property
    def secretary_vacant(self) -> bool:
        return self.secretary_id is None

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read off the path without a query."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def subtree_q(self, prefix: str = "") -> Q:
        """Q matching this node and everything below it; `prefix` for a related lookup."""
        return Q(**{f"{prefix}path__startswith": self.path})

    def is_within(self, other: Organization) -> bool:
        return self.path.startswith(other.path)


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class PersonCategory(models.TextChoices):
    MEMBER = "member", "党员"
    MASS = "mass", "群众代表"
    ACTIVIST = "activist", "入党积极分子"
    APPLICANT = "applicant", "入党申请人"
    GUEST = "guest", "两代表一委员"


class MemberStatus(models.TextChoices):
    REGULAR = "regular", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class Employment(models.TextChoices):
    IN_POST = "in_post", "在职"
    RETIRED = "retired", "离退休"


class Person(models.Model):
    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    category = models.CharField(
        "身份", max_length=20, choices=PersonCategory.choices, default=PersonCategory.MEMBER
    )
    # Current branch for members; the unit a non-member comes from for the others.
    organization = models.ForeignKey(
        Organization,
        verbose_name="所在组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    join_date = models.DateField("入党日期", null=True, blank=True)
    member_status = models.CharField(
        "党员类别", max_length=20, choices=MemberStatus.choices, blank=True
    )
    employment = models.CharField(
        "在职状态", max_length=20, choices=Employment.choices, default=Employment.IN_POST
    )
    cadre_level = models.CharField("干部级别", max_length=20, blank=True)
    position = models.CharField("职务", max_length=80, blank=True)
    # Personal identifiers: masked everywhere they are shown, never written to the audit log.
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = "人员"
        ordering = ["organization_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="person_unique_id_number"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            # Covers the per-category counts of a subtree (people_by_category) and the
            # API's totals: the index alone answers them, without reading the rows.
            models.Index(fields=["organization", "category"], name="person_org_category_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_member(self) -> bool:
        return self.category == PersonCategory.MEMBER

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MembershipPeriod(models.Model):
    """Which branch a member belonged to, and when: transfers keep history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="membership_periods"
    )
    started_on = models.DateField("转入日期")
    ended_on = models.DateField("转出日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "组织关系"
        ordering = ["person_id", "started_on"]
        constraints = [
            # At most one open period per person: a member belongs to one branch at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization} {self.started_on}–{self.ended_on or ''}"


class OrgPeopleCount(models.Model):
    """How many people of each category one organization holds directly.

    Derived data kept by database triggers (migration 0004) on every insert, delete and
    change of a person's organization or category, so bulk imports, raw SQL and every
    service stay counted without each having to remember it. A subtree's counts are then
    a SUM over its organizations' rows (at most one per node and category), instead of
    a COUNT over every person below the node, which reads the whole table at the root.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="people_counts"
    )
    category = models.CharField(max_length=20, choices=PersonCategory.choices)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = "组织人数"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category"], name="org_people_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.category} {self.n}"
