from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from shuping.audit.models import AuditEntry
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds import deadlines, preset_services, reporters, sub_rounds
from shuping.rounds.models import (
    Campaign,
    CampaignStatus,
    Deadline,
    FilingKind,
    FilingState,
    Reminder,
    ReportMode,
)
from shuping.rounds.presets import shipped_presets
from shuping.rounds.proposal import propose
from shuping.rounds.reporters import (
    add_reporter,
    remove_reporter,
    rotation_warnings,
    set_reporter_mode,
)
from shuping.rounds.services import TRANSITIONS, change_status, create_campaign
from shuping.rounds.sub_rounds import create_sub_campaigns
from shuping.rounds.testing import make_campaign
from shuping.rounds.tests.conftest import make_org

ALL = [CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.CLOSED]


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("to", ALL)
def test_status_transition_matrix(cast, start, to):
    campaign = make_campaign(cast.street, status=start)
    allowed = to in TRANSITIONS[start]
    if allowed:
        change_status(campaign, actor=cast.street_organizer, to=to)
        campaign.refresh_from_db()
        assert campaign.status == to
        assert AuditEntry.objects.filter(action="campaign.status").count() == 1
    else:
        with pytest.raises(StateError):
            change_status(campaign, actor=cast.street_organizer, to=to)
        campaign.refresh_from_db()
        assert campaign.status == start


@pytest.mark.parametrize("who", ["outsider", "reporter", "host", "superior"])
def test_only_organizers_of_the_committee_change_a_round(cast, who):
    campaign = make_campaign(cast.street, reporters=[cast.branch], status=CampaignStatus.DRAFT)
    actor = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        change_status(campaign, actor=actor, to=CampaignStatus.ACTIVE)
    with pytest.raises(PermissionDenied):
        create_campaign(cast.street, actor=actor, preset="004_jiedao_shuangshu", year=2030)
    reporter = campaign.reporters.get()
    with pytest.raises(PermissionDenied):
        set_reporter_mode(reporter, actor=actor, mode=ReportMode.WRITTEN, reason="x")


def test_create_rejects_bad_input(cast):
    with pytest.raises(DomainError) as err:
        create_campaign(cast.street, actor=cast.street_organizer, preset="nope", year=2026)
    assert err.value.field == "preset"
    with pytest.raises(DomainError) as err:
        create_campaign(
            cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=1900
        )
    assert err.value.field == "year"
    create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    with pytest.raises(DomainError) as err:
        create_campaign(
            cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
        )
    assert err.value.field == "year"
    with pytest.raises(DomainError) as err:  # a branch has nobody to report to it
        create_campaign(cast.branch, actor=cast.organizer, preset="004_jiedao_shuangshu", year=2026)
    assert err.value.field == "committee"
    assert Campaign.objects.count() == 1


def test_reporter_adjustments_need_a_reason_and_an_open_round(cast):
    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    assert {r.organization for r in campaign.reporters.all()} == {cast.community, cast.branch}
    with pytest.raises(DomainError) as err:
        add_reporter(
            campaign, actor=cast.street_organizer, organization=cast.retiree_branch, reason=" "
        )
    assert err.value.field == "reason"
    added = add_reporter(
        campaign,
        actor=cast.street_organizer,
        organization=cast.retiree_branch,
        mode=ReportMode.ONSITE,
        reason="老年党支部今年换届，请其述职",
    )
    assert added.is_vacant and added.mode == ReportMode.WRITTEN and added.added_manually
    with pytest.raises(DomainError):  # outside the committee's subtree
        add_reporter(
            campaign, actor=cast.street_organizer, organization=cast.organ_branch, reason="x"
        )
    with pytest.raises(DomainError):  # twice
        add_reporter(
            campaign, actor=cast.street_organizer, organization=cast.retiree_branch, reason="x"
        )
    with pytest.raises(DomainError):  # vacant posts report in writing
        set_reporter_mode(added, actor=cast.street_organizer, mode=ReportMode.ONSITE, reason="x")
    branch = campaign.reporters.get(organization=cast.branch)
    set_reporter_mode(branch, actor=cast.street_organizer, mode=ReportMode.WRITTEN, reason="出差")
    entry = AuditEntry.objects.get(action="reporter.mode")
    assert entry.note == "出差" and entry.changes == {"mode": ["onsite", "written"]}
    remove_reporter(added, actor=cast.street_organizer, reason="误加")
    assert AuditEntry.objects.get(action="reporter.remove").note == "误加"
    change_status(campaign, actor=cast.street_organizer, to=CampaignStatus.ACTIVE)
    change_status(campaign, actor=cast.street_organizer, to=CampaignStatus.CLOSED)
    with pytest.raises(StateError):
        set_reporter_mode(branch, actor=cast.street_organizer, mode=ReportMode.ONSITE, reason="x")
    with pytest.raises(StateError):
        remove_reporter(branch, actor=cast.street_organizer, reason="x")


def test_sampling_is_reproducible_from_the_seed(cast):
    street = cast.street
    pool = [make_org(street, f"两新{i}党支部", OrgKind.BRANCH, Sector.NON_PUBLIC) for i in range(8)]
    rules = shipped_presets()["004_jiedao_shuangshu"].rules
    draws = [
        propose(street, rules.scope, rules.modes, seed=s, places=None, last_year={})
        for s in (11, 11, 12, 13, 14)
    ]
    chosen = [[o["id"] for o in d.sampling_log[0]["chosen"]] for d in draws]
    assert chosen[0] == chosen[1]
    assert len({tuple(c) for c in chosen}) > 1  # other seeds draw other branches
    assert all(len(c) == 2 and set(c) <= {o.pk for o in pool} for c in chosen)
    campaign = create_campaign(
        street,
        actor=cast.street_organizer,
        preset="004_jiedao_shuangshu",
        year=2026,
        sampling_seed=11,
    )
    assert campaign.sampling_seed == 11
    assert sorted(r.organization_id for r in campaign.reporters.filter(sampled=True)) == sorted(
        chosen[0]
    )
    entry = AuditEntry.objects.get(action="campaign.sample")
    assert entry.changes["seed"] == 11 and len(entry.changes["pool"]) == 8


def test_rotation_fills_onsite_places_with_last_years_written_and_warns(cast):
    district = cast.district
    units = [make_org(district, f"第{i}工委", OrgKind.WORKING, Sector.ORGAN) for i in range(1, 6)]
    preset = "003_quwei_liangji"
    first = create_campaign(
        district, actor=cast.organizer, preset=preset, year=2025, onsite_places=2
    )
    # the district's own 甲/乙 have vacant secretaries: written, outside the places
    assert {r.organization_id for r in first.reporters.filter(mode=ReportMode.ONSITE)} == {
        units[0].pk,
        units[1].pk,
    }
    second = create_campaign(
        district, actor=cast.organizer, preset=preset, year=2026, onsite_places=3
    )
    # last year's written ones take the on-site places first
    assert {r.organization_id for r in second.reporters.filter(mode=ReportMode.ONSITE)} == {
        u.pk for u in units[2:]
    }
    assert rotation_warnings(second) == []
    assert "上年书面述职" in second.reporters.get(organization=units[2]).note
    victim = second.reporters.get(organization=units[2])
    set_reporter_mode(victim, actor=cast.organizer, mode=ReportMode.WRITTEN, reason="会议时间冲突")
    warnings = rotation_warnings(second)
    assert [w.reporter.pk for w in warnings] == [victim.pk]
    assert "两年内没有现场述职" in warnings[0].message
    assert any("两年内没有现场述职" in w for w in reporters.campaign_warnings(second))


def test_rotation_warnings_name_twenty_and_count_the_rest(cast, monkeypatch):
    # A province-wide round can have thousands: the page names the first ones and
    # counts the rest (one bounded query each, not the whole round in memory).
    district = cast.district
    for i in range(1, 6):
        make_org(district, f"第{i}工委", OrgKind.WORKING, Sector.ORGAN)
    preset = "003_quwei_liangji"
    create_campaign(district, actor=cast.organizer, preset=preset, year=2025, onsite_places=0)
    second = create_campaign(
        district, actor=cast.organizer, preset=preset, year=2026, onsite_places=0
    )
    due = rotation_warnings(second)
    assert len(due) == 5 and all("两年内没有现场述职" in w.message for w in due)
    monkeypatch.setattr(reporters, "VACANT_NAMES", 2)
    warnings = reporters.campaign_warnings(second)
    named = [w for w in warnings if w.endswith("两年内没有现场述职")]
    assert [w.split("：")[0] for w in named] == [w.reporter.organization.name for w in due[:2]]
    assert any("共 5 个组织两年内没有现场述职" in w for w in warnings)


def test_sub_rounds_follow_the_parent_and_file_their_plan(cast):
    parent = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    (child,) = create_sub_campaigns(parent, actor=cast.organizer, committees=[cast.street])
    assert child.parent == parent and child.committee == cast.street
    rules = child.parsed_rules
    assert rules.scope.source == "subtree" and rules.modes.rotation_years == 2
    assert rules.sub_round is None
    # the subtree's basic organizations: community committee, its branch, two branches
    assert {r.organization for r in child.reporters.all()} == {
        cast.community,
        cast.community_branch,
        cast.branch,
        cast.retiree_branch,
    }
    assert {d.key for d in child.deadlines.all()} >= {"meeting", "basic_done", "summary_report"}
    with pytest.raises(DomainError):  # not a direct child
        create_sub_campaigns(parent, actor=cast.organizer, committees=[cast.branch])
    with pytest.raises(StateError):
        sub_rounds.file_plan(parent, actor=cast.organizer)
    meeting = child.deadlines.get(key="meeting")  # due 2027-03-31 for the basic level
    warnings = reporters.campaign_warnings(child, today=date(2027, 3, 15))
    assert any("尚未报" in w and "备案" in w for w in warnings)
    assert any("会前10天（2027-03-21前）" in w for w in warnings)
    assert meeting.due_on == date(2027, 3, 31)
    filing = sub_rounds.file_plan(child, actor=cast.street_organizer, note="见附件")
    with pytest.raises(StateError):
        sub_rounds.file_plan(child, actor=cast.street_organizer)
    with pytest.raises(PermissionDenied):  # the child cannot acknowledge its own filing
        sub_rounds.acknowledge_filing(filing, actor=cast.street_organizer)
    sub_rounds.acknowledge_filing(filing, actor=cast.organizer)
    filing.refresh_from_db()
    assert filing.state == FilingState.ACKNOWLEDGED
    with pytest.raises(StateError):
        sub_rounds.acknowledge_filing(filing, actor=cast.organizer)
    today = date(2027, 3, 1)
    late = sub_rounds.file_plan(
        child,
        actor=cast.street_organizer,
        kind=FilingKind.MEETING_PLAN,
        meeting_on=today + timedelta(days=9),
        today=today,
    )
    on_time = sub_rounds.file_plan(
        child,
        actor=cast.street_organizer,
        kind=FilingKind.MEETING_PLAN,
        meeting_on=today + timedelta(days=10),
        today=today,
    )
    assert late.is_late and not on_time.is_late  # 提前10天: the 10th day still counts
    assert not any("会议方案" in w for w in reporters.campaign_warnings(child))
    with pytest.raises(DomainError) as err:
        sub_rounds.file_plan(child, actor=cast.street_organizer, kind=FilingKind.MEETING_PLAN)
    assert err.value.field == "meeting_on"


def test_sub_round_with_its_own_preset(cast):
    parent = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    (child,) = create_sub_campaigns(
        parent, actor=cast.organizer, committees=[cast.street], preset="004_jiedao_shuangshu"
    )
    assert child.preset_key == "004_jiedao_shuangshu" and child.parent == parent


def test_remind_is_idempotent(cast, settings):
    campaign = make_campaign(cast.street, reporters=[cast.branch])
    Deadline.objects.filter(campaign=campaign).delete()
    today = date(2026, 1, 10)
    Deadline.objects.create(
        campaign=campaign, key="report_due", title="报送述职报告", due_on=today - timedelta(days=1)
    )
    Deadline.objects.create(
        campaign=campaign, key="meeting", title="召开述职评议会", due_on=today + timedelta(days=2)
    )
    Deadline.objects.create(
        campaign=campaign, key="later", title="以后", due_on=today + timedelta(days=30)
    )
    settings.EMAIL_HOST = ""
    created = deadlines.remind(today=today)
    # overdue report_due → street organizer + the reporter; meeting → street organizer
    assert created == 3
    assert deadlines.remind(today=today) == 0
    assert Reminder.objects.filter(recipient=cast.reporter, kind="overdue").count() == 1
    assert len(mail.outbox) == 0
    cast.street_organizer.email = "jd@example.org"
    cast.street_organizer.save()
    settings.EMAIL_HOST = "smtp.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deadlines.remind(today=today + timedelta(days=3)) == 1  # meeting now overdue
    assert len(mail.outbox) == 1
    items = deadlines.upcoming_for(cast.street_organizer, today=today)
    assert [i.deadline.key for i in items][:2] == ["report_due", "meeting"]
    assert items[0].overdue and not items[1].overdue
    assert deadlines.upcoming_for(cast.outsider, today=today) == []


def test_office_presets_are_versioned_and_rounds_keep_their_rules(cast):
    preset = preset_services.copy_preset(
        "004_jiedao_shuangshu",
        actor=cast.street_organizer,
        committee=cast.street,
        key="jd-2026",
        title="甲街道双述双评",
    )
    v1 = preset.latest()
    assert v1.number == 1 and 'key = "jd-2026"' in v1.text
    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="jd-2026", year=2026
    )
    assert (campaign.preset_key, campaign.preset_version) == ("jd-2026", 1)
    text = v1.text.replace("count = 4", "count = 3")
    v2 = preset_services.save_preset_version(
        preset, actor=cast.street_organizer, text=text, note="优秀3名"
    )
    assert v2.number == 2
    campaign.refresh_from_db()
    assert campaign.parsed_rules.grading[0].count == 4  # the round keeps v1's rules
    later = create_campaign(cast.street, actor=cast.street_organizer, preset="jd-2026", year=2027)
    assert later.parsed_rules.grading[0].count == 3 and later.preset_version == 2
    with pytest.raises(DomainError) as err:
        preset_services.save_preset_version(
            preset, actor=cast.street_organizer, text=text.replace("count = 3", 'count = "x"')
        )
    assert err.value.field == "text" and "grading[0].count" in err.value.message
    with pytest.raises(DomainError):
        preset_services.copy_preset(
            "004_jiedao_shuangshu",
            actor=cast.street_organizer,
            committee=cast.street,
            key="jd-2026",
            title="x",
        )
    with pytest.raises(PermissionDenied):
        preset_services.save_preset_version(preset, actor=cast.outsider, text=text)
    assert preset.versions.count() == 2


def test_person_in_charge_of_a_vacant_post(cast):
    from shuping.organizations.services import create_person

    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    make_org(cast.street, "空缺党支部", OrgKind.BRANCH, Sector.STREET, secretary=False)
    vacant_org = cast.street.children.get(name="空缺党支部")
    entry = add_reporter(
        campaign, actor=cast.street_organizer, organization=vacant_org, reason="补充"
    )
    in_charge = create_person(actor=None, organization=vacant_org, name="李负责")
    outsider = create_person(actor=None, organization=cast.organ_branch, name="张外人")
    with pytest.raises(DomainError) as err:
        reporters.set_reporter_person(
            entry, actor=cast.street_organizer, person=outsider, reason="x"
        )
    assert err.value.field == "person"
    reporters.set_reporter_person(
        entry, actor=cast.street_organizer, person=in_charge, reason="书记空缺，由负责人述职"
    )
    entry.refresh_from_db()
    assert entry.person == in_charge and entry.is_vacant and entry.mode == ReportMode.WRITTEN
    assert entry.position.endswith("负责人")
    assert AuditEntry.objects.get(action="reporter.person").note == "书记空缺，由负责人述职"


def test_child_organizer_adjusts_its_sub_round_but_not_the_parent(cast):
    parent = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    (child,) = create_sub_campaigns(parent, actor=cast.organizer, committees=[cast.street])
    entry = child.reporters.get(organization=cast.branch)
    set_reporter_mode(entry, actor=cast.street_organizer, mode=ReportMode.WRITTEN, reason="分批")
    parent_entry = parent.reporters.get(organization=cast.street)
    with pytest.raises(PermissionDenied):
        set_reporter_mode(
            parent_entry, actor=cast.street_organizer, mode=ReportMode.ONSITE, reason="x"
        )


def test_reassign_modes_with_a_new_number_of_places(cast):
    units = [make_org(cast.district, f"第{i}工委", OrgKind.WORKING, Sector.ORGAN) for i in range(4)]
    preset = "003_quwei_liangji"
    create_campaign(cast.district, actor=cast.organizer, preset=preset, year=2025, onsite_places=2)
    campaign = create_campaign(
        cast.district, actor=cast.organizer, preset=preset, year=2026, onsite_places=4
    )
    with pytest.raises(DomainError):
        reporters.reassign_modes(campaign, actor=cast.organizer, places=1, reason="")
    reporters.reassign_modes(campaign, actor=cast.organizer, places=1, reason="会场缩小")
    onsite = [r.organization for r in campaign.reporters.filter(mode=ReportMode.ONSITE)]
    assert onsite == [units[2]]  # the first of last year's written ones
    assert len(rotation_warnings(campaign)) == 1  # units[3] now goes two years written
    entry = AuditEntry.objects.get(action="campaign.modes")
    assert entry.changes["onsite_places"] == [4, 1] and entry.note == "会场缩小"
