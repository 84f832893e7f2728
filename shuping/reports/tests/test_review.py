"""The review cycle: transition matrix, permissions, wrong states, versions and diffs."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from shuping.conftest import Cast
from shuping.lib.errors import DomainError, NotFound, PermissionDenied, StateError
from shuping.reports import access, services
from shuping.reports.models import (
    ALLOWED,
    TRANSITIONS,
    DutyReport,
    ReportState,
    ReportVersion,
    VersionKind,
)
from shuping.reports.samples import load_sample
from shuping.rounds.models import Reporter


def _good(report: DutyReport, cast: Cast) -> DutyReport:
    return services.save_sections(report, actor=cast.reporter, sections=load_sample("003_good"))


def _do(action: str, report: DutyReport, cast: Cast) -> DutyReport:
    if action == "submit":
        return services.submit_report(report, actor=cast.reporter)
    if action == "return":
        return services.return_report(report, actor=cast.organizer, comments={"problems": "再深入"})
    if action == "approve":
        return services.approve_report(report, actor=cast.organizer)
    if action == "summarize":
        return services.write_summary(report, actor=cast.organizer, summary="摘要")
    return services.publish_summary(report, actor=cast.organizer)


# The review table written out by hand, independent of models.TRANSITIONS.
EXPECTED = {
    ("draft", "submit"): "submitted",
    ("returned", "submit"): "resubmitted",
    ("submitted", "return"): "returned",
    ("resubmitted", "return"): "returned",
    ("submitted", "approve"): "approved",
    ("resubmitted", "approve"): "approved",
    ("approved", "summarize"): "summarized",
    ("summarized", "summarize"): "summarized",
    ("summarized", "publish"): "published",
}


def test_table_matches_the_model() -> None:
    assert {(b, a) for (b, _), a in EXPECTED.items()} == ALLOWED
    assert {(b, act) for act, moves in TRANSITIONS.items() for b, _ in moves} == set(EXPECTED)


@pytest.mark.parametrize(
    ("before", "action"),
    list(itertools.product(ReportState.values, list(TRANSITIONS))),
)
def test_transition_matrix(report: DutyReport, cast: Cast, before: str, action: str) -> None:
    """Every (state, action): allowed moves land where the table says, others refuse and
    leave the report untouched."""
    report = _good(report, cast)
    DutyReport.objects.filter(pk=report.pk).update(state=before, review_round=1)
    report.refresh_from_db()
    expected = EXPECTED.get((before, action))
    if expected is not None:
        _do(action, report, cast)
        report.refresh_from_db()
        assert report.state == expected
    else:
        with pytest.raises(StateError):
            _do(action, report, cast)
        report.refresh_from_db()
        assert report.state == before


def test_full_cycle_with_comments_and_diff(report: DutyReport, cast: Cast) -> None:
    report = _good(report, cast)
    report = services.submit_report(report, actor=cast.reporter)
    assert report.state == ReportState.SUBMITTED and report.review_round == 1
    report = services.return_report(
        report,
        actor=cast.organizer,
        comments={"problems": "问题查找不够深，请把自己摆进去。", "plans": ""},
        note="数据再核实。",
    )
    assert report.state == ReportState.RETURNED
    comments = list(report.comments.order_by("section_key"))
    assert [(c.section_key, c.review_round) for c in comments] == [("", 1), ("problems", 1)]
    # while editing, the diff is against the returned submission
    new_problems = load_sample("003_good")["problems"] + "\n（七）新增的问题：本人调研不够。"
    report = services.save_sections(
        report, actor=cast.reporter, sections={"problems": new_problems}
    )
    diff = services.resubmission_diff(report)
    assert diff is not None
    changed = {d.key: d for d in diff}
    assert changed["problems"].changed and not changed["performance"].changed
    assert "<ins>" in changed["problems"].html and "本人调研不够" in changed["problems"].html
    report = services.submit_report(report, actor=cast.reporter)
    assert report.state == ReportState.RESUBMITTED and report.review_round == 2
    diff = services.resubmission_diff(report)
    assert diff is not None and any(d.changed for d in diff)
    report = services.approve_report(report, actor=cast.organizer)
    report = services.mark_read_by_superior(report, actor=cast.superior)
    assert report.read_by_superior_at is not None
    with pytest.raises(StateError):
        services.mark_read_by_superior(report, actor=cast.superior)
    report = services.write_summary(report, actor=cast.organizer, summary="该同志抓党建成效明显。")
    report = services.publish_summary(report, actor=cast.organizer)
    assert report.state == ReportState.PUBLISHED and report.publication_range
    kinds = list(report.versions.order_by("number").values_list("kind", flat=True))
    assert kinds.count(VersionKind.SUBMIT) == 2 and kinds[0] == VersionKind.PREFILL


def test_diff_escapes_html(report: DutyReport, cast: Cast) -> None:
    report = _good(report, cast)
    report = services.submit_report(report, actor=cast.reporter)
    report = services.return_report(report, actor=cast.organizer, comments={"": "改"})
    text = load_sample("003_good")["plans"] + "<script>alert(1)</script>"
    report = services.save_sections(report, actor=cast.reporter, sections={"plans": text})
    diff = services.resubmission_diff(report)
    assert diff is not None
    html = next(d for d in diff if d.key == "plans").html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_blocking_check_stops_submission(report: DutyReport, cast: Cast) -> None:
    services.save_sections(
        report, actor=cast.reporter, sections=load_sample("003_bad_short_problems")
    )
    with pytest.raises(DomainError) as err:
        services.submit_report(report, actor=cast.reporter)
    assert "不少于900字" in err.value.message and err.value.field == "problems"
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.review_round == 0


def test_warnings_do_not_stop_submission(report: DutyReport, cast: Cast) -> None:
    services.save_sections(report, actor=cast.reporter, sections=load_sample("003_bad_no_self"))
    report = services.submit_report(report, actor=cast.reporter)
    assert report.state == ReportState.SUBMITTED and report.check_verdict == "warn"


@pytest.mark.parametrize("who", ["reporter", "superior", "host", "outsider"])
def test_only_the_office_reviews(report: DutyReport, cast: Cast, who: str) -> None:
    report = services.submit_report(_good(report, cast), actor=cast.reporter)
    with pytest.raises(PermissionDenied):
        services.approve_report(report, actor=getattr(cast, who))
    with pytest.raises(PermissionDenied):
        services.return_report(report, actor=getattr(cast, who), comments={"": "x"})


def test_street_organizer_reviews_own_subtree(report: DutyReport, cast: Cast) -> None:
    report = services.submit_report(_good(report, cast), actor=cast.reporter)
    assert services.approve_report(report, actor=cast.street_organizer).state == "approved"


@pytest.mark.parametrize("who", ["organizer", "superior", "outsider"])
def test_only_the_author_writes(report: DutyReport, cast: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.save_sections(report, actor=getattr(cast, who), sections={"plans": "x"})


def test_return_needs_a_comment(report: DutyReport, cast: Cast) -> None:
    report = services.submit_report(_good(report, cast), actor=cast.reporter)
    with pytest.raises(DomainError) as err:
        services.return_report(report, actor=cast.organizer, comments={"problems": "  "})
    assert err.value.field == "comments"
    with pytest.raises(DomainError):
        services.return_report(report, actor=cast.organizer, comments={"nope": "x"})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and not report.comments.exists()


def test_submitted_report_cannot_be_edited(report: DutyReport, cast: Cast) -> None:
    report = services.submit_report(_good(report, cast), actor=cast.reporter)
    with pytest.raises(StateError):
        services.save_sections(report, actor=cast.reporter, sections={"plans": "改"})


def test_stale_revision_is_refused(report: DutyReport, cast: Cast) -> None:
    report = _good(report, cast)
    with pytest.raises(StateError):
        services.save_sections(
            report, actor=cast.reporter, sections={"plans": "旧窗口"}, base_revision=0
        )


def test_unknown_section_and_bad_input(report: DutyReport, cast: Cast) -> None:
    with pytest.raises(DomainError) as err:
        services.save_sections(report, actor=cast.reporter, sections={"other": "x"})
    assert err.value.field == "other"
    with pytest.raises(DomainError):
        services.save_sections(report, actor=cast.reporter, sections={"plans": 5})
    with pytest.raises(DomainError):
        services.save_sections(report, actor=cast.reporter, sections={"plans": "字" * 20001})


def test_autosaves_fold_into_one_version(report: DutyReport, cast: Cast) -> None:
    for i in range(4):
        services.save_sections(
            report, actor=cast.reporter, sections={"plans": f"第{i}稿"}, kind=VersionKind.AUTOSAVE
        )
    kinds = list(report.versions.order_by("number").values_list("kind", flat=True))
    assert kinds == [VersionKind.PREFILL, VersionKind.AUTOSAVE]
    assert report.versions.get(kind=VersionKind.AUTOSAVE).sections["plans"] == "第3稿"
    services.save_sections(report, actor=cast.reporter, sections={"plans": "定稿"})
    assert ReportVersion.objects.filter(report=report).count() == 3
    # an unchanged autosave writes nothing
    before = report.versions.count()
    services.save_sections(
        report, actor=cast.reporter, sections={"plans": "定稿"}, kind=VersionKind.AUTOSAVE
    )
    assert report.versions.count() == before


# --- access -----------------------------------------------------------------------------------


def _visible(user: Any, report: DutyReport) -> bool:
    try:
        access.get_report_for(user, report.pk)
        return True
    except NotFound:
        return False


def test_access_matrix(report: DutyReport, other_reporter: Reporter, cast: Cast) -> None:
    other = services.open_report(other_reporter, actor=cast.organizer)
    # drafts: the author and the office; never the superior, another reporter or an outsider
    assert _visible(cast.reporter, report)
    assert _visible(cast.organizer, report) and _visible(cast.street_organizer, report)
    assert _visible(cast.host, report)
    assert not _visible(cast.superior, report)
    assert not _visible(cast.outsider, report)
    assert not _visible(cast.reporter, other)  # another reporter's draft
    assert set(access.visible_reports(cast.reporter)) == {report}
    assert set(access.visible_reports(cast.superior)) == set()
    # once approved the superior reads it
    report = services.submit_report(_good(report, cast), actor=cast.reporter)
    services.approve_report(report, actor=cast.organizer)
    assert _visible(cast.superior, report)
    assert set(access.visible_reports(cast.superior)) == {report}
    with pytest.raises(NotFound):
        access.get_report_for(cast.superior, report.pk, write=True)
    with pytest.raises(NotFound):
        access.get_report_for(cast.reporter, other.pk, write=True)
    with pytest.raises(NotFound):
        access.get_report_for(cast.organizer, "nope")


def test_reporter_grant_stands_in_for_a_vacant_post(cast: Cast, campaign: Any) -> None:
    from shuping.accounts.models import Role, RoleGrant
    from shuping.conftest import make_user

    vacant = Reporter.objects.get(campaign=campaign, organization=cast.community_branch)
    deputy = make_user("deputy")
    RoleGrant.objects.create(user=deputy, role=Role.REPORTER, organization=cast.community_branch)
    report = services.open_report(vacant, actor=deputy)
    assert access.is_author(deputy, vacant)
    services.save_sections(report, actor=deputy, sections={"plans": "一是……"})
    assert not access.is_author(cast.reporter, vacant)


# --- last year's rectification ---------------------------------------------------------------


def test_rectification_prefilled_from_last_year(cast: Cast) -> None:
    from shuping.reports.tests.conftest import rules_for_shape
    from shuping.rounds.testing import make_campaign

    last = make_campaign(
        cast.street, year=2025, rules=rules_for_shape("004"), reporters=[cast.branch]
    )
    last_rep = Reporter.objects.get(campaign=last)
    old = services.open_report(last_rep, actor=cast.reporter, audience="committee")
    services.save_sections(old, actor=cast.reporter, sections=load_sample("004_good"))
    old = services.submit_report(DutyReport.objects.get(pk=old.pk), actor=cast.reporter)
    services.return_report(old, actor=cast.organizer, comments={"": "停车难问题要拿出具体办法。"})

    this = make_campaign(
        cast.street, year=2026, rules=rules_for_shape("004"), reporters=[cast.branch]
    )
    rep = Reporter.objects.get(campaign=this)
    items = services.previous_rectification_items(rep)
    assert any("理论学习不够系统" in i.problem for i in items)
    assert items[-1].source == "上年度审核意见" and "停车难" in items[-1].problem
    new = services.open_report(rep, actor=cast.reporter, audience="members")
    text = new.sections["rectification"]
    assert text.startswith("对照上年度") and "理论学习不够系统" in text and "停车难" in text
    assert new.sections["duties"] == ""
    # 004 writes one report per meeting kind
    other = services.open_report(rep, actor=cast.reporter, audience="committee")
    assert other.pk != new.pk and other.title.endswith("（向街道党工委述职）")
    with pytest.raises(DomainError):
        services.open_report(rep, actor=cast.reporter, audience="nope")


def test_no_previous_round_means_empty_prefill(cast: Cast) -> None:
    from shuping.reports.tests.conftest import rules_for_shape
    from shuping.rounds.testing import make_campaign

    c = make_campaign(cast.street, year=2026, rules=rules_for_shape("004"), reporters=[cast.branch])
    rep = Reporter.objects.get(campaign=c)
    assert services.previous_rectification_items(rep) == []
    assert (
        services.open_report(rep, actor=cast.reporter, audience="members").sections["rectification"]
        == ""
    )


def test_closed_round_cannot_be_written(report: DutyReport, cast: Cast) -> None:
    from shuping.rounds.models import CampaignStatus

    campaign = report.reporter.campaign
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    report = DutyReport.objects.select_related("reporter__campaign").get(pk=report.pk)
    with pytest.raises(StateError):
        services.save_sections(report, actor=cast.reporter, sections={"plans": "x"})
    with pytest.raises(StateError):
        services.submit_report(report, actor=cast.reporter)
