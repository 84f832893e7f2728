"""Demo data for the tree: a district modelled on seed 003 (西山区委).

About 15 working and directly-led committees across sectors, about 300 basic
organizations and about 6,000 members with generated names (a fixed seed, so every
run builds the same district). Written with bulk inserts: a few seconds in all.
Idempotent: when the district `QW` exists the tree is left alone and only missing
accounts are added.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.organizations.models import (
    BASIC_KINDS,
    Employment,
    Gender,
    MembershipPeriod,
    MemberStatus,
    Organization,
    OrgKind,
    Person,
    PersonCategory,
    Sector,
)
from shuping.organizations.roster_read import id_check_digit

ROOT_CODE = "QW"
SEED = 2026

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏飞慧"
    "婷雪琳晨阳欣怡佳瑞梅海波峰辉宁琴云鑫颖龙林彬立新春晓燕凤洁丹宏利庆荣俊德振东"
)
PLACES = [
    "西井",
    "赵山",
    "模式口",
    "四街坊",
    "五星",
    "琅山",
    "杨庄",
    "古城",
    "永乐",
    "衙门口",
    "黄村",
    "依翠园",
    "重兴寺",
    "双锦园",
    "海特花园",
    "石门",
    "麻峪",
    "高井",
    "隆恩寺",
    "南宫",
    "天翠",
    "北辛安",
    "京原",
    "翠谷",
    "金沟",
    "八大处",
    "西黄村",
    "老古城",
    "新立街",
    "玉泉",
    "鲁谷",
    "八宝山",
    "鹰山",
    "秀府",
    "京西",
    "首钢",
    "七星",
    "阜石",
    "西山",
    "田村",
    "永定",
    "金安",
    "晋元",
    "万达",
]
FIRMS = [
    "京西智造科技有限公司",
    "瑞通物流有限公司",
    "华润置业(西山)有限公司",
    "金顶建材有限公司",
    "创想动漫有限公司",
    "新源数据服务有限公司",
    "西山文旅发展有限公司",
    "中科云图信息技术有限公司",
    "汇丰餐饮管理有限公司",
    "博远人力资源有限公司",
    "京能光伏科技有限公司",
    "远航会计师事务所",
]
SOCIETIES = [
    "区律师协会",
    "区个体劳动者协会",
    "区慈善协会",
    "区志愿者联合会",
    "区养老服务协会",
    "区物业管理协会",
    "区社会工作者协会",
    "区青年创业促进会",
    "区书法家协会",
    "区民办教育协会",
]
BUREAUS = [
    "区发展改革委",
    "区财政局",
    "区教委机关",
    "区人力社保局",
    "区住建委",
    "区城管委",
    "区商务局",
    "区审计局",
    "区统计局",
    "区民政局",
    "区司法局",
    "区文旅局",
    "区科信局",
    "区市场监管局",
    "区生态环境局",
    "区应急局",
    "区信访办",
    "区档案馆",
    "区政务服务局",
    "区医保局",
]
SCHOOLS = [
    "区第一中学",
    "区第九中学",
    "京源学校",
    "区实验小学",
    "古城小学",
    "五里坨小学",
    "银河小学",
    "区外语实验学校",
    "区业余体校",
    "区职业技术学校",
    "区教育研究中心",
    "苹果园中学",
    "区第二实验小学",
    "爱乐实验小学",
]
VILLAGES = [
    "北辛安村",
    "五里坨村",
    "隆恩寺村",
    "东下庄村",
    "高井村",
    "麻峪村",
    "南宫村",
    "黑石头村",
]


@dataclass
class OrgSpec:
    code: str
    name: str
    kind: str
    sector: str
    parent: str | None
    retiree: bool = False
    members: int = 0
    vacant: bool = False
    order: int = 0
    children: list[OrgSpec] = field(default_factory=list)


COMMITTEES: list[tuple[str, str, str, str]] = [
    ("金顶街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("八宝山街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("老山街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("八角街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("苹果园街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("广宁街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("五里坨街道党工委", OrgKind.WORKING, Sector.STREET, "street"),
    ("区直机关工委", OrgKind.WORKING, Sector.ORGAN, "organ"),
    ("区委教工委", OrgKind.WORKING, Sector.SCHOOL, "school"),
    ("区委农工委", OrgKind.WORKING, Sector.RURAL, "rural"),
    ("区国资委党委", OrgKind.COMMITTEE, Sector.SOE, "soe"),
    ("区卫健委党委", OrgKind.COMMITTEE, Sector.MEDICAL, "medical"),
    ("区委园区工委", OrgKind.WORKING, Sector.NON_PUBLIC, "non_public"),
    ("区委社会工委", OrgKind.WORKING, Sector.SOCIAL, "social"),
    ("区文化委党委", OrgKind.COMMITTEE, Sector.ORGAN, "organ"),
]


class _Builder:
    def __init__(self, rng: random.Random, scale: float) -> None:
        self.rng = rng
        self.scale = scale
        self.places = list(PLACES)
        rng.shuffle(self.places)

    def size(self, low: int, high: int) -> int:
        return max(2, round(self.rng.randint(low, high) * self.scale))

    def count(self, n: int, minimum: int = 1) -> int:
        return max(minimum, round(n * self.scale))

    def place(self) -> str:
        if not self.places:
            self.places = [p + "东" for p in PLACES]
        return self.places.pop()

    def add(self, parent: OrgSpec, name: str, kind: str, sector: str, **kw: object) -> OrgSpec:
        code = f"{parent.code}-{len(parent.children) + 1:02d}"
        spec = OrgSpec(code, name, kind, sector, parent.code, order=len(parent.children) + 1)
        for key, value in kw.items():
            setattr(spec, key, value)
        parent.children.append(spec)
        return spec

    def branch(self, parent: OrgSpec, name: str, sector: str, **kw: object) -> OrgSpec:
        kw.setdefault("members", self.size(15, 31))
        kw.setdefault("vacant", self.rng.random() < 0.05)
        return self.add(parent, name, OrgKind.BRANCH, sector, **kw)

    def street(self, c: OrgSpec, first: bool) -> None:
        street_name = c.name.removesuffix("党工委")
        for _ in range(self.count(4)):
            place = self.place()
            community = self.add(c, f"{place}社区党委", OrgKind.COMMITTEE, Sector.STREET, members=5)
            for i in range(self.count(3)):
                self.branch(community, f"{place}社区第{'一二三四五六'[i % 6]}党支部", Sector.STREET)
            self.branch(community, f"{place}社区老年党支部", Sector.STREET, retiree=True)
        place = self.place()
        general = self.add(
            c, f"{place}社区党总支", OrgKind.GENERAL_BRANCH, Sector.STREET, members=4
        )
        for i in range(self.count(2, 2)):
            self.branch(general, f"{place}社区第{'一二三'[i % 3]}党支部", Sector.STREET)
        self.branch(c, f"{street_name}机关第一党支部", Sector.STREET)
        self.branch(c, f"{street_name}机关第二党支部", Sector.STREET)
        self.branch(c, f"{street_name}城市管理执法队党支部", Sector.STREET)
        self.branch(c, f"{street_name}社区服务中心党支部", Sector.STREET)
        self.branch(c, f"{street_name}老年党支部", Sector.STREET, retiree=True)
        for _ in range(self.count(2 if first else 1)):
            firm = self.rng.choice(FIRMS)
            self.branch(
                c, f"{self.place()}{firm}党支部", Sector.NON_PUBLIC, members=self.size(4, 9)
            )
        society = self.rng.choice(SOCIETIES).removeprefix("区")
        self.branch(c, f"{street_name}{society}联合党支部", Sector.SOCIAL, members=self.size(3, 8))

    def organ(self, c: OrgSpec) -> None:
        for bureau in BUREAUS[: self.count(20 if c.name.startswith("区直") else 6)]:
            self.branch(c, f"{bureau}机关党支部", Sector.ORGAN)
        self.branch(
            c,
            f"{c.name.removesuffix('工委').removesuffix('党委')}离退休干部党支部",
            Sector.ORGAN,
            retiree=True,
        )

    def school(self, c: OrgSpec) -> None:
        for school in SCHOOLS[: self.count(14)]:
            self.branch(c, f"{school}党支部", Sector.SCHOOL)
        self.branch(c, "区教委离退休教师党支部", Sector.SCHOOL, retiree=True)

    def rural(self, c: OrgSpec) -> None:
        for village in VILLAGES[: self.count(8)]:
            self.branch(c, f"{village}党支部", Sector.RURAL)
        general = self.add(
            c, "区农村集体经济组织党总支", OrgKind.GENERAL_BRANCH, Sector.RURAL, members=3
        )
        for i in range(self.count(3)):
            self.branch(general, f"集体经济组织第{'一二三四'[i % 4]}党支部", Sector.RURAL)

    def soe(self, c: OrgSpec) -> None:
        for group in ("西山城建集团", "京西文旅集团", "西山国资运营公司")[: self.count(3)]:
            committee = self.add(c, f"{group}党委", OrgKind.COMMITTEE, Sector.SOE, members=5)
            for i in range(self.count(5)):
                self.branch(committee, f"{group}第{'一二三四五六'[i % 6]}党支部", Sector.SOE)

    def medical(self, c: OrgSpec) -> None:
        hospital = self.add(c, "区医院党委", OrgKind.COMMITTEE, Sector.MEDICAL, members=5)
        for dept in ("内科", "外科", "医技", "行政后勤", "离退休")[: self.count(5)]:
            self.branch(hospital, f"区医院{dept}党支部", Sector.MEDICAL, retiree=dept == "离退休")
        for place in (self.place() for _ in range(self.count(8))):
            self.branch(c, f"{place}社区卫生服务中心党支部", Sector.MEDICAL)

    def non_public(self, c: OrgSpec) -> None:
        for firm in FIRMS[: self.count(12)]:
            self.branch(c, f"{firm}党支部", Sector.NON_PUBLIC, members=self.size(5, 16))

    def social(self, c: OrgSpec) -> None:
        for society in SOCIETIES[: self.count(9)]:
            self.branch(c, f"{society}党支部", Sector.SOCIAL, members=self.size(4, 12))
        general = self.add(c, "区律师协会党总支", OrgKind.GENERAL_BRANCH, Sector.SOCIAL, members=3)
        for firm in ("京西律师事务所", "山海律师事务所", "正衡律师事务所")[: self.count(3)]:
            self.branch(general, f"{firm}党支部", Sector.SOCIAL, members=self.size(4, 10))


def build_tree(rng: random.Random, scale: float) -> OrgSpec:
    b = _Builder(rng, scale)
    root = OrgSpec(ROOT_CODE, "西山区委", OrgKind.DISTRICT, Sector.ORGAN, None, members=6)
    for i, (name, kind, sector, shape) in enumerate(COMMITTEES):
        committee = OrgSpec(
            f"QW-{i + 1:02d}", name, kind, sector, ROOT_CODE, members=6, order=i + 1
        )
        root.children.append(committee)
        if shape == "street":
            b.street(committee, first=i == 0)
        else:
            getattr(b, shape)(committee)
    return root


def _walk(spec: OrgSpec, depth: int = 0) -> list[tuple[int, OrgSpec]]:
    out = [(depth, spec)]
    for child in spec.children:
        out.extend(_walk(child, depth + 1))
    return out


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()

    def name(self) -> str:
        given = self.rng.choice(GIVEN)
        if self.rng.random() < 0.7:
            given += self.rng.choice(GIVEN)
        return self.rng.choice(SURNAMES) + given

    def person(self, org: Organization, *, retired: bool, position: str = "") -> Person:
        rng = self.rng
        years = (62, 90) if retired else (24, 60)
        birth = date(2026, 1, 1) - timedelta(days=rng.randint(years[0] * 365, years[1] * 365))
        while True:
            first = f"110107{birth:%Y%m%d}{rng.randint(0, 999):03d}"
            id_number = first + id_check_digit(first)
            if id_number not in self.ids:
                self.ids.add(id_number)
                break
        joined = birth + timedelta(days=rng.randint(19 * 365, max(19 * 365, 40 * 365)))
        joined = min(joined, date(2025, 12, 1))
        probationary = not retired and rng.random() < 0.04
        return Person(
            name=self.name(),
            gender=Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE,
            birth_date=birth,
            category=PersonCategory.MEMBER,
            organization=org,
            join_date=joined,
            member_status=MemberStatus.PROBATIONARY if probationary else MemberStatus.REGULAR,
            employment=Employment.RETIRED if retired else Employment.IN_POST,
            position=position or "党员",
            id_number=id_number,
            phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
        )


def _secretary_title(org: Organization) -> str:
    if org.kind == OrgKind.DISTRICT:
        return "区委书记"
    suffix = {"working": "书记", "committee": "书记", "general_branch": "书记"}.get(
        org.kind, "书记"
    )
    return f"{org.name}{suffix}"


def build(scale: float = 1.0, out: Callable[[str], None] = print) -> Organization:
    """Create the district in bulk. Returns the root."""
    rng = random.Random(SEED)
    nodes = _walk(build_tree(rng, scale))
    orgs: dict[str, Organization] = {}
    for level in range(max(d for d, _ in nodes) + 1):
        batch = [
            Organization(
                code=s.code,
                name=s.name,
                kind=s.kind,
                sector=s.sector,
                parent=orgs[s.parent] if s.parent else None,
                path=f"tmp-{s.code}",
                depth=level,
                sort_order=s.order,
                is_retiree_branch=s.retiree,
            )
            for d, s in nodes
            if d == level
        ]
        Organization.objects.bulk_create(batch)
        for org in batch:
            parent = orgs.get(org.parent.code) if org.parent else None
            org.path = f"{parent.path if parent else '/'}{org.pk}/"
            orgs[org.code] = org
    Organization.objects.bulk_update(list(orgs.values()), ["path"], batch_size=500)

    # The first five direct sub-organizations of QW-01 have secretaries: they are the
    # demo reporters shuji01…05 (see demo_reporter_orgs).
    first_five = {
        o.code
        for o in sorted(
            (
                o
                for o in orgs.values()
                if o.parent is not None and o.parent.code == "QW-01" and not o.is_retiree_branch
            ),
            key=lambda o: (o.sort_order, o.path),
        )[:5]
    }
    factory = _People(rng)
    people: list[Person] = []
    secretaries: dict[str, Person] = {}
    deputies: dict[str, Person] = {}
    committee: dict[str, list[Person]] = {}
    for _, spec in nodes:
        org = orgs[spec.code]
        retired = spec.retiree
        members = [factory.person(org, retired=retired) for _ in range(spec.members)]
        if members and (not spec.vacant or spec.code in first_five):
            members[0].position = _secretary_title(org)
            secretaries[spec.code] = members[0]
        if len(members) > 3:
            members[1].position = _secretary_title(org).replace("书记", "副书记")
            deputies[spec.code] = members[1]
            committee[spec.code] = members[2:4] if org.kind in BASIC_KINDS else members[2:5]
        people.extend(members)
    # A few non-members who take part in meetings: mass representatives and guests.
    for code in list(orgs)[: max(3, len(orgs) // 10)]:
        org = orgs[code]
        for category, position in (
            (PersonCategory.MASS, "群众代表"),
            (PersonCategory.ACTIVIST, "入党积极分子"),
        ):
            person = factory.person(org, retired=False, position=position)
            person.category, person.member_status, person.join_date = category, "", None
            people.append(person)
    Person.objects.bulk_create(people, batch_size=1000)
    MembershipPeriod.objects.bulk_create(
        [
            MembershipPeriod(
                person=p,
                organization_id=p.organization_id or 0,
                started_on=p.join_date or date(2020, 1, 1),
            )
            for p in people
            if p.category == PersonCategory.MEMBER
        ],
        batch_size=1000,
    )
    for code, org in orgs.items():
        org.secretary = secretaries.get(code)
        org.deputy_secretary = deputies.get(code)
    Organization.objects.bulk_update(
        list(orgs.values()), ["secretary", "deputy_secretary"], batch_size=500
    )
    through = Organization.committee_members.through
    through.objects.bulk_create(
        [
            through(organization_id=orgs[code].pk, person_id=p.pk)
            for code, persons in committee.items()
            for p in [secretaries.get(code), deputies.get(code), *persons]
            if p is not None
        ],
        batch_size=1000,
    )
    root = orgs[ROOT_CODE]
    record(
        actor=None,
        action="demo.load",
        target=root,
        organization=root,
        changes={"organizations": len(orgs), "people": len(people)},
        note="加载演示数据",
    )
    basic = sum(1 for o in orgs.values() if o.kind in BASIC_KINDS)
    out(f"组织架构：{len(orgs)} 个党组织（其中基层党支部/党总支 {basic} 个），{len(people)} 人")
    return root


def demo_reporter_orgs(code: str, n: int = 5) -> list[Organization]:
    """The organizations whose secretaries get the demo accounts shuji01…05: the first
    `n` direct sub-organizations of a committee (not retiree branches), because those
    are the secretaries who report in that committee's 双述双评 round (seed 004)."""
    parent = Organization.objects.get(code=code)
    return list(
        Organization.objects.filter(parent=parent, is_retiree_branch=False)
        .select_related("secretary")
        .order_by("sort_order", "path")[:n]
    )


ACCOUNTS: list[tuple[str, str, str, str, str]] = [
    # username, full name, role, organization code, what it is for
    ("admin", "系统管理员", Role.ADMIN, ROOT_CODE, "系统管理员"),
    ("zuzhibu", "区委组织部", Role.ORGANIZER, ROOT_CODE, "组织员：区委组织部（全区）"),
    ("quwei", "", Role.HOST, ROOT_CODE, "主持点评：区委书记"),
    ("shangji", "市委组织部", Role.SUPERIOR, ROOT_CODE, "上级党委（只读）"),
    ("jiedao", "金顶街道党建办", Role.ORGANIZER, "QW-01", "组织员：金顶街道党工委"),
    ("jiedaoshuji", "", Role.HOST, "QW-01", "主持点评：金顶街道党工委书记"),
    ("gongwei", "区直机关工委", Role.ORGANIZER, "QW-08", "组织员：区直机关工委"),
]


@transaction.atomic
def ensure_accounts() -> list[tuple[str, str]]:
    from shuping.demo import DEMO_PASSWORD

    password = make_password(DEMO_PASSWORD)
    logins: list[tuple[str, str]] = []
    wanted: list[tuple[str, str, str, Organization, str, Person | None]] = []
    for username, full_name, role, code, label in ACCOUNTS:
        org = Organization.objects.select_related("secretary").get(code=code)
        person = org.secretary if role == Role.HOST else None
        wanted.append((username, full_name, role, org, label, person))
    for i, org in enumerate(demo_reporter_orgs("QW-01"), start=1):
        label = f"述职书记：{org.name}"
        wanted.append((f"shuji{i:02d}", "", Role.REPORTER, org, label, org.secretary))
    for username, full_name, role, org, label, person in wanted:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "password": password,
                "first_name": person.name if person else full_name,
                "is_superuser": role == Role.ADMIN,
                "is_staff": role == Role.ADMIN,
            },
        )
        RoleGrant.objects.get_or_create(user=user, role=role, organization=org)
        if person is not None and person.user_id is None:
            Person.objects.filter(pk=person.pk, user__isnull=True).update(user=user)
        logins.append((username, label + (f"（{person.name}）" if person else "")))
    return logins


def load(out: Callable[[str], None], *, scale: float = 1.0) -> list[tuple[str, str]]:
    if Organization.objects.filter(code=ROOT_CODE).exists():
        out("组织架构：演示区委已存在，跳过。")
    else:
        build(scale, out)
    return ensure_accounts()
