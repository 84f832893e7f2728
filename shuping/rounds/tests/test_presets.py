"""Each shipped preset on a tree shaped like its seed's organization, checked
against the numbers in the seed text."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from shuping.audit.models import AuditEntry
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds.models import ReportMode
from shuping.rounds.presets import PresetFileError, parse_preset_text, shipped_presets
from shuping.rounds.reporters import campaign_warnings
from shuping.rounds.services import create_campaign
from shuping.rounds.tests.conftest import make_org

B, GB, C, W, D = (
    OrgKind.BRANCH,
    OrgKind.GENERAL_BRANCH,
    OrgKind.COMMITTEE,
    OrgKind.WORKING,
    OrgKind.DISTRICT,
)


def deadlines(campaign):
    return {d.key: (d.starts_on, d.due_on) for d in campaign.deadlines.all()}


def names(campaign, mode=None):
    qs = campaign.reporters.select_related("organization")
    return [r.organization.name for r in qs if mode is None or r.mode == mode]


def test_every_preset_names_its_seed_and_loads():
    presets = shipped_presets()
    assert [p.seed for p in presets.values()] == [
        "000_7ba1b0db4298aa35.txt",
        "001_c30e7b565d4566f9.txt",
        "002_b1addb69841a860d.txt",
        "003_63fa1a9b62752213.txt",
        "004_5d696491fda25c53.txt",
    ]
    assert [p.year_label for p in presets.values()] == ["2016", "2017", "2023", "", "2018"]
    for preset in presets.values():
        assert preset.rules.silent, preset.key  # each says where its seed is silent


def test_000_shizong_jiguan(cast):
    party = make_org(cast.district, "市总机关党委", C, Sector.ORGAN)
    branches = [make_org(party, f"市总机关第{i}党支部", B, Sector.ORGAN) for i in "一二三"]
    vacant = make_org(party, "市总机关第四党支部", B, Sector.ORGAN, secretary=False)
    campaign = create_campaign(party, actor=cast.organizer, preset="000_shizong_jiguan", year=2016)
    rules = campaign.parsed_rules
    assert names(campaign) == [b.name for b in branches] + [vacant.name]
    assert names(campaign, ReportMode.ONSITE) == [b.name for b in branches]
    assert campaign.reporters.get(organization=vacant).is_vacant
    dl = deadlines(campaign)
    assert dl["report_due"][1] == date(2016, 12, 16)
    assert dl["meeting"] == (date(2016, 12, 26), date(2016, 12, 26))
    assert dl["member_meeting"][1] == date(2016, 12, 26)
    assert dl["member_publish"][1] == date(2016, 12, 29)  # 会后3天内
    assert rules.report.max_chars == 1000
    work, problems, plans = rules.report.sections
    assert (work.title, work.max_share) == ("主要工作", Fraction(1, 2))
    assert (problems.title, problems.min_share) == ("存在问题", Fraction(1, 3))
    assert plans.title == "下步打算"
    assert rules.report.requires_last_rectification
    allowed = [c.grade for c in rules.consequences if c.annual_excellent_allowed]
    assert allowed == ["好"]
    for grade in ("一般", "差"):
        cons = next(c for c in rules.consequences if c.grade == grade)
        assert cons.actions == ("约谈", "限期整改", "必要时问责")
    review = rules.member_review
    assert review and review.enabled and review.publish_within_days == 3
    assert review.scale == ("优秀", "合格", "基本合格", "不合格")
    assert rules.scope.members_report
    assert campaign.doc_number == "平工党委〔2016〕18号"


def test_001_zhen_dangwei(cast):
    town = make_org(cast.district, "XXX镇党委", C, Sector.RURAL)
    villages = [make_org(town, f"第{i:02d}村党支部", B, Sector.RURAL) for i in range(1, 14)]
    make_org(town, "镇机关党支部", B, Sector.ORGAN)  # not a village: out of scope
    campaign = create_campaign(town, actor=cast.organizer, preset="001_zhen_dangwei", year=2017)
    rules = campaign.parsed_rules
    assert names(campaign) == [v.name for v in villages]
    assert len(names(campaign, ReportMode.ONSITE)) == 13
    assert rules.scope.expected_count == 13
    assert not any("述职对象" in w for w in campaign_warnings(campaign))
    meeting = rules.meeting("committee")
    assert meeting.minutes_per_report == 7
    assert meeting.place == "镇政府大会议室"
    assert rules.report.target_chars == 2500
    assert [s.target_share for s in rules.report.sections] == [Fraction(1, 3)] * 3
    assert rules.ballot_scale == ("好", "较好", "一般", "差")
    assert deadlines(campaign)["meeting"] == (date(2017, 12, 21), date(2017, 12, 31))
    assert [
        c.grade for c in rules.consequences if c.kind == "grade" and c.annual_excellent_allowed
    ] == ["好"]
    assert rules.rectification and rules.rectification.lists == ("问题清单", "责任清单", "整改清单")


def test_002_shichang_jianguan(cast):
    general = make_org(cast.organ, "市场监督管理局党总支", GB, Sector.ORGAN)
    first = make_org(general, "第一党支部", B, Sector.ORGAN)
    second = make_org(general, "第二党支部", B, Sector.ORGAN)
    campaign = create_campaign(
        general, actor=cast.organizer, preset="002_shichang_jianguan", year=2023
    )
    rules = campaign.parsed_rules
    assert names(campaign, ReportMode.ONSITE) == [first.name, second.name]
    dl = deadlines(campaign)
    assert dl["start"][0] == date(2023, 12, 1)
    assert dl["done"][1] == date(2024, 1, 31)
    assert dl["filing"][1] == date(2024, 2, 9)
    share, major, accountable, about = rules.grading
    assert (share.kind, share.grades, share.share, share.result) == (
        "share_exceeds",
        ("一般", "差"),
        Fraction(1, 10),
        "差",
    )
    assert (major.flag, accountable.flag) == ("major_failure", "accountability")
    assert major.result == accountable.result == "差"
    assert (about.kind, about.share, about.grades) == (
        "quota_about",
        Fraction(2, 5),
        ("较好", "一般", "差"),
    )
    assert rules.filing[:4] == (
        "述职评议考核工作方案",
        "主持点评讲话",
        "党组织书记总结讲话",
        "述职评议表",
    )
    assert "整改台账" in rules.filing
    assert rules.filing_to == "市委直属机关工委"
    meeting = rules.meeting("committee")
    assert meeting.participants == (
        "第一、第二党支部全体党员",
        "积极分子",
        "入党申请人",
        "群众代表",
    )


def _district(cast_district):
    district = make_org(None, "XX区委", D, Sector.OTHER)
    streets = [
        make_org(district, f"{n}党工委", W, Sector.STREET)
        for n in (
            "八宝山街道",
            "鲁谷社区",
            "老山街道",
            "八角街道",
            "XX街道",
            "苹果园街道",
            "金顶街街道",
            "广宁街道",
            "五里坨街道",
        )
    ]
    named = [
        make_org(district, n, k, s)
        for n, k, s in (
            ("区直机关工委", W, Sector.ORGAN),
            ("区委社会工委", W, Sector.SOCIAL),
            ("区国资委党委", C, Sector.SOE),
            ("区文化委党委", C, Sector.OTHER),
            ("区卫计委党委", C, Sector.MEDICAL),
            ("公安分局党委", C, Sector.ORGAN),
            ("XX医院党委", C, Sector.MEDICAL),
        )
    ]
    others = [
        make_org(district, n, W, s)
        for n, s in (
            ("区委教工委", Sector.SCHOOL),
            ("区委农工委", Sector.RURAL),
            ("区委城管工委", Sector.ORGAN),
            ("区委园区工委", Sector.NON_PUBLIC),
        )
    ]
    return district, streets, named, others


def test_003_quwei_liangji(cast):
    from shuping.accounts.models import Role, RoleGrant

    district, streets, named, others = _district(cast.district)
    RoleGrant.objects.create(user=cast.organizer, role=Role.ORGANIZER, organization=district)
    campaign = create_campaign(
        district, actor=cast.organizer, preset="003_quwei_liangji", year=2016
    )
    rules = campaign.parsed_rules
    assert len(names(campaign)) == 20
    assert names(campaign, ReportMode.ONSITE) == [o.name for o in streets + named]  # the 16
    assert names(campaign, ReportMode.WRITTEN) == [o.name for o in others]
    assert campaign.onsite_places == 16
    dl = deadlines(campaign)
    assert dl["report_due"][1] == date(2017, 1, 20)
    assert dl["meeting"] == (date(2017, 2, 20), date(2017, 2, 24))
    assert dl["district_done"][1] == date(2017, 2, 28)
    assert dl["basic_done"][1] == date(2017, 3, 31)
    assert dl["summary_report"][1] == date(2017, 3, 31)
    assert dl["preparation"] == (date(2017, 1, 1), date(2017, 2, 15))
    report = rules.report
    assert report.target_chars == 3000 and report.max_pages == 6
    assert [(s.target_chars, s.min_chars) for s in report.sections] == [
        (1500, None),
        (None, 900),
        (600, None),
    ]
    assert report.innovation_cases == (1, 2) and report.innovation_case_chars == 800
    assert report.innovation_case_pictures == (2, 3) and report.slides_minutes == 15
    meeting = rules.meeting("committee")
    assert meeting.minutes_per_report == 15 and meeting.questions and meeting.evaluates_written
    assert [i.title for i in rules.indicators] == [
        "落实党建统领主体责任情况",
        "按照“四位一体”布局，建设风清气正良好政治生态情况",
        "推进“两学一做”学习教育情况",
        "加强基层党组织建设情况",
        "健全和完善党建工作制度体系情况",
    ]
    assert rules.indicators[4].description.startswith("落实党建工作责任制")
    sub = rules.sub_round
    assert sub and sub.meeting_plan_days_before == 10 and sub.modes.rotation_years == 2
    assert campaign.doc_number == "京石办发〔2017〕1号"


def test_004_jiedao_shuangshu(cast):
    street = make_org(cast.district, "XX街道党工委", W, Sector.STREET)
    community = make_org(street, "金鑫社区党委", C, Sector.STREET)
    make_org(community, "金鑫社区第一党支部", B, Sector.STREET)  # under the 社区党委
    general = make_org(street, "金坡社区党总支", GB, Sector.STREET)
    ordinary = [make_org(street, f"街道第{i}党支部", B, Sector.STREET) for i in "一二三"]
    make_org(street, "老年党支部", B, Sector.STREET, is_retiree_branch=True)
    two_new = [make_org(street, f"非公企业{i}党支部", B, Sector.NON_PUBLIC) for i in "甲乙丙"] + [
        make_org(street, f"社会组织{i}党支部", B, Sector.SOCIAL) for i in "丁戊"
    ]
    campaign = create_campaign(
        street, actor=cast.organizer, preset="004_jiedao_shuangshu", year=2018, sampling_seed=7
    )
    rules = campaign.parsed_rules
    listed = names(campaign)
    fixed = [community.name, general.name] + [o.name for o in ordinary]
    assert listed[:5] == fixed
    sampled = [r.organization for r in campaign.reporters.filter(sampled=True)]
    assert len(sampled) == 2 and all(o in two_new for o in sampled)
    assert len(listed) == 7 and "老年党支部" not in listed
    log = campaign.sampling_log[0]
    assert log["count"] == 2 and len(log["pool"]) == 5 and log["seed"] == 7
    assert AuditEntry.objects.filter(action="campaign.sample", target_id=str(campaign.pk)).exists()
    dl = deadlines(campaign)
    assert dl["start"][0] == date(2018, 12, 11)
    assert dl["done"][1] == date(2019, 1, 10)
    assert dl["filing"][1] == date(2019, 1, 17)  # 1周内
    members = rules.meeting("members")
    assert members.quorum and members.quorum.members_min_share == Fraction(4, 5)
    assert members.quorum.mass_min_share == Fraction(1, 5)
    assert rules.report.audiences == ("members", "committee")
    assert rules.report.max_chars == 1500
    assert rules.report.sections[2].min_share == Fraction(1, 3)
    (quota,) = rules.grading
    assert (quota.kind, quota.grades, quota.count) == ("quota_max", ("优秀",), 4)
    assert [c.grade for c in rules.consequences if c.annual_excellent_allowed] == ["优秀"]
    basic = [c for c in rules.consequences if c.grade == "基本称职"]
    assert basic[0].actions == ("提醒谈话", "责令限期整改", "取消该单位其他评先评优资格")
    assert basic[1].repeated_years == 2 and basic[1].actions == ("组织处理",)
    assert rules.assessment_scale == ("优秀", "称职", "基本称职", "不称职")


def test_bad_preset_text_names_file_and_place():
    with pytest.raises(PresetFileError) as err:
        parse_preset_text('key = "x"\ntitle = "y"\nballot_scale = [', source="x.toml")
    assert err.value.line == 3 and "x.toml" in str(err.value)
    with pytest.raises(PresetFileError) as err:
        parse_preset_text('key = "x"\ntitle = = "y"\n', source="x.toml")
    assert err.value.line == 2 and "第2行" in str(err.value)
    text = shipped_presets()["002_shichang_jianguan"].text.replace('share = "1/10"', 'share = "3"')
    with pytest.raises(PresetFileError) as err:
        parse_preset_text(text, source="002.toml")
    assert err.value.path == "grading[0].share"
    assert "比例" in err.value.message


def test_set_toml_value_keeps_the_rest_of_the_text():
    import tomllib

    from shuping.rounds.presets import set_toml_value

    text = shipped_presets()["001_zhen_dangwei"].text
    edited = set_toml_value(text, "meetings[0].minutes_per_report", 8)
    edited = set_toml_value(edited, "modes.onsite_places", 5)
    edited = set_toml_value(edited, "report.max_chars", 2600)
    data = tomllib.loads(edited)
    assert data["meetings"][0]["minutes_per_report"] == 8
    assert data["modes"]["onsite_places"] == 5 and data["report"]["max_chars"] == 2600
    assert data["report"]["target_chars"] == 2500  # untouched
    removed = tomllib.loads(set_toml_value(edited, "modes.onsite_places", None))
    assert "onsite_places" not in removed["modes"]
    added = tomllib.loads(set_toml_value(text, "sub_round.title", "比照"))
    assert added["sub_round"] == {"title": "比照"}
    assert edited.splitlines()[0] == text.splitlines()[0]  # comments stay


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("grading[0].count", "count = 4"),
        ("scope.sampling[0].count", "count = 2"),
        ("meetings[0].quorum.members_min_share", 'members_min_share = "4/5"'),
        ("meetings[1].host", 'host = "党工委书记"'),
        ("report.max_chars", "max_chars = 1500"),
        ("title", "title = "),
        ("consequences[3].repeated_years", "repeated_years = 2"),
    ],
)
def test_line_of_points_at_the_setting(path, expected):
    from shuping.rounds.presets import line_of

    text = shipped_presets()["004_jiedao_shuangshu"].text
    line = line_of(text, path)
    assert line is not None and text.splitlines()[line - 1].startswith(expected)
