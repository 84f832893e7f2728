"""Who reaches a member review, decided once (see accounts/access.py for the tree rules).

Read: organizer, host and superior grants covering the branch, and the branch's own
secretary (a reporter grant at the branch). Run (paper entry, committee review,
determination, 公示, report): an organizer grant covering the branch (or admin), or
the branch's secretary. Starting reviews for all branches needs an organizer grant at
the round's committee. Members have no accounts: they reach only their own
evaluation, through their personal link (services.open_link), and the published
results of their branch (the public page). Anything out of reach raises NotFound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import READ_ROLES, WRITE_ROLES, is_admin, org_scope_q, reaches
from shuping.accounts.models import Role
from shuping.lib.errors import NotFound
from shuping.member_review.models import MemberEvaluation, MemberReview
from shuping.organizations.models import Organization

if TYPE_CHECKING:
    from shuping.lib.types import Actor, Viewer


def _is_branch_secretary(user: Viewer, branch: Organization) -> bool:
    if not user.is_authenticated:
        return False
    if reaches(user, branch, roles=(Role.REPORTER,)):
        return True
    person = getattr(user, "person", None)
    return person is not None and person.pk in (branch.secretary_id, branch.deputy_secretary_id)


def can_read_review(user: Viewer, review: MemberReview) -> bool:
    return reaches(user, review.branch, roles=READ_ROLES) or _is_branch_secretary(
        user, review.branch
    )


def can_run_review(user: Actor, review: MemberReview) -> bool:
    if user is None:  # the system (demo loader, commands)
        return True
    return reaches(user, review.branch, roles=WRITE_ROLES) or _is_branch_secretary(
        user, review.branch
    )


def review_scope_q(user: Viewer) -> Q:
    """Q over MemberReview: the reviews `user` may read."""
    if is_admin(user):
        return Q()
    q = org_scope_q(user, roles=READ_ROLES, prefix="branch__")
    if user.is_authenticated:
        q |= Q(branch__secretary__user_id=user.pk) | Q(branch__deputy_secretary__user_id=user.pk)
    return q


def visible_reviews(user: Viewer) -> QuerySet[MemberReview]:
    return MemberReview.objects.filter(review_scope_q(user))


def get_review_for(user: Viewer, pk: Any, *, write: bool = False) -> MemberReview:
    try:
        review = MemberReview.objects.select_related(
            "branch", "campaign__committee", "meeting"
        ).get(pk=pk)
    except (MemberReview.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_run_review(user, review) if write else can_read_review(user, review)
    if not allowed:
        raise NotFound()
    return review


def get_evaluation_for(user: Viewer, pk: Any, *, write: bool = False) -> MemberEvaluation:
    try:
        evaluation = MemberEvaluation.objects.select_related(
            "review__branch", "review__campaign__committee", "person"
        ).get(pk=pk)
    except (MemberEvaluation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    review = evaluation.review
    allowed = can_run_review(user, review) if write else can_read_review(user, review)
    if not allowed:
        raise NotFound()
    return evaluation


def can_start_reviews(user: Actor, committee: Organization) -> bool:
    return user is None or reaches(user, committee, roles=WRITE_ROLES)
