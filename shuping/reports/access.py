"""Who may see and change a duty report, decided once (zulip's access_stream_by_id).

- organizer, host and admin grants reach reports of reporters whose organization lies in
  their subtree, in every state (the organizer chases drafts and late reports);
- a superior grant reaches the same subtree but only approved reports (the superior's
  leader reads what the office has approved, never drafts);
- the reporter — `Reporter.person.user`, or a user with a reporter grant on
  `Reporter.organization` (a vacant post's stand-in) — reaches only their own reports, so
  one reporter never sees another reporter's draft.

Missing and forbidden both raise NotFound. `write=True` asks for a user who may change the
report at all (its author or a reviewer); services then check the particular action.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import grants, is_admin, org_scope_q, reaches
from shuping.accounts.models import Role
from shuping.lib.errors import DomainError, NotFound, PermissionDenied
from shuping.lib.types import Viewer
from shuping.reports.models import (
    APPROVED_STATES,
    Attachment,
    DutyReport,
    InnovationCase,
)
from shuping.rounds.models import Reporter

MANAGE_ROLES = (Role.ORGANIZER, Role.HOST, Role.ADMIN)
REVIEW_ROLES = (Role.ORGANIZER, Role.ADMIN)


def _own_reporter_q(user: Viewer, prefix: str = "") -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(**{f"{prefix}person__user_id": user.pk})
    orgs = [g.organization_id for g in grants(user, (Role.REPORTER,))]
    if orgs:
        q |= Q(**{f"{prefix}organization_id__in": orgs})
    return q


def is_author(user: Viewer, reporter: Reporter) -> bool:
    """The reporter themselves (or the stand-in with a reporter grant on that organization)."""
    if not user.is_authenticated:
        return False
    if reporter.person_id is not None and reporter.person.user_id == user.pk:  # type: ignore[union-attr]
        return True
    return any(
        g.organization_id == reporter.organization_id for g in grants(user, (Role.REPORTER,))
    )


def can_manage(user: Viewer, reporter: Reporter) -> bool:
    return reaches(user, reporter.organization, roles=MANAGE_ROLES)


def can_review(user: Viewer, reporter: Reporter) -> bool:
    """Return / approve / summarize / publish: the organizing office of the round, and the
    office of a committee between it and the reporter (a street's office reviews its
    branches' reports in the district's round). An office never reviews its own
    organization's report in a higher committee's round: that is the round's office's."""
    if reaches(user, reporter.campaign.committee, roles=REVIEW_ROLES):
        return True
    org = reporter.organization
    return any(
        g.organization_id != org.pk and org.path.startswith(g.organization.path)
        for g in grants(user, REVIEW_ROLES)
        if g.role != Role.REPORTER
    )


def is_superior(user: Viewer, reporter: Reporter) -> bool:
    return reaches(user, reporter.organization, roles=(Role.SUPERIOR,))


def sees_drafts(user: Viewer, reporter: Reporter) -> bool:
    """Author and office read a report's working history (versions, resubmission diffs);
    a reader of approved reports only (the superior) reads the approved text alone."""
    return is_author(user, reporter) or can_manage(user, reporter)


def visible_reports(user: Viewer) -> QuerySet[DutyReport]:
    if is_admin(user):
        return DutyReport.objects.all()
    q = _own_reporter_q(user, "reporter__")
    q |= org_scope_q(user, roles=MANAGE_ROLES, prefix="reporter__organization__")
    superior = org_scope_q(user, roles=(Role.SUPERIOR,), prefix="reporter__organization__")
    q |= superior & Q(state__in=APPROVED_STATES)
    return DutyReport.objects.filter(q)


def participating_reporters(user: Viewer) -> QuerySet[Reporter]:
    """Reporters in the user's subtree (as organizer or host) in rounds of a committee above
    it — the rounds an office reads because its own organization reports in them."""
    if is_admin(user) or not user.is_authenticated:
        return Reporter.objects.none()
    overseen = org_scope_q(
        user, roles=(*MANAGE_ROLES, Role.SUPERIOR), prefix="campaign__committee__"
    )
    return (
        Reporter.objects.filter(org_scope_q(user, roles=MANAGE_ROLES, prefix="organization__"))
        .exclude(overseen)
        .exclude(_own_reporter_q(user))
    )


def visible_reporters(user: Viewer) -> QuerySet[Reporter]:
    if is_admin(user):
        return Reporter.objects.all()
    q = _own_reporter_q(user)
    q |= org_scope_q(user, roles=(*MANAGE_ROLES, Role.SUPERIOR), prefix="organization__")
    return Reporter.objects.filter(q)


def may_read(user: Viewer, report: DutyReport) -> bool:
    reporter = report.reporter
    if is_author(user, reporter) or can_manage(user, reporter):
        return True
    return report.state in APPROVED_STATES and is_superior(user, reporter)


def booklet_unapproved(user: Viewer, campaign: Any, requested: str | None) -> str:
    """What the booklet of a meeting of `campaign` does with reports under review, for `user`.

    Only those who may read every report of the round in any state (organizer, host, admin
    over its committee) may have them marked in; the organizing office gets that by default,
    everyone else gets them left out. Raises PermissionDenied when someone else asks for
    them (the superior reads approved reports only)."""
    from shuping.reports.export import Unapproved

    committee = campaign.committee
    if requested in (None, ""):
        return Unapproved.MARK if reaches(user, committee, roles=REVIEW_ROLES) else Unapproved.OMIT
    if requested not in Unapproved.values:
        raise DomainError("请选择审核中的报告是否编入汇编。", field="unapproved")
    if requested == Unapproved.MARK and not reaches(user, committee, roles=MANAGE_ROLES):
        raise PermissionDenied("审核中的报告只能由组织单位编入汇编，您只能看到审核通过的报告。")
    return str(requested)


def get_report_for(user: Viewer, pk: Any, *, write: bool = False) -> DutyReport:
    try:
        report = DutyReport.objects.select_related(
            "reporter__organization",
            "reporter__person",
            "reporter__campaign__committee",
        ).get(pk=pk)
    except (DutyReport.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if write:
        if not (is_author(user, report.reporter) or can_review(user, report.reporter)):
            raise NotFound()
    elif not may_read(user, report):
        raise NotFound()
    return report


def get_reporter_for(user: Viewer, pk: Any, *, write: bool = False) -> Reporter:
    try:
        reporter = Reporter.objects.select_related(
            "organization", "person", "campaign__committee"
        ).get(pk=pk)
    except (Reporter.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if write:
        ok = is_author(user, reporter) or can_review(user, reporter)
    else:
        ok = is_author(user, reporter) or can_manage(user, reporter) or is_superior(user, reporter)
    if not ok:
        raise NotFound()
    return reporter


def get_case_for(user: Viewer, pk: Any, *, write: bool = False) -> InnovationCase:
    try:
        case = InnovationCase.objects.select_related(
            "reporter__organization", "reporter__person", "reporter__campaign"
        ).get(pk=pk)
    except (InnovationCase.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    get_reporter_for(user, case.reporter_id, write=write)
    return case


def get_attachment_for(user: Viewer, pk: Any, *, write: bool = False) -> Attachment:
    try:
        att = Attachment.objects.select_related("reporter").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    get_reporter_for(user, att.reporter_id, write=write)
    return att
