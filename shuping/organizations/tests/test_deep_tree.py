"""A tree deeper than the stored path allows is refused with a Chinese message, never
stored cut short (PostgreSQL would refuse it with a bare error, SQLite would exceed the
column's size without a word)."""

from __future__ import annotations

import pytest

from shuping.conftest import Cast
from shuping.lib.errors import DomainError
from shuping.organizations import roster_layout
from shuping.organizations.models import PATH_MAX_CHARS, TREE_TOO_DEEP, Organization
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import RosterInvalid
from shuping.organizations.services import create_organization, move_organization
from shuping.organizations.tests.test_roster import workbook

pytestmark = pytest.mark.django_db


def _chain(parent: Organization, prefix: str) -> list[Organization]:
    """Branches hung one under the other until the next would not fit."""
    chain: list[Organization] = []
    for i in range(200):
        try:
            parent = create_organization(
                actor=None, parent=parent, code=f"{prefix}{i}", name=f"第{i}级", kind="branch"
            )
        except DomainError as exc:
            assert exc.message == TREE_TOO_DEEP and exc.field == "parent"
            return chain
        chain.append(parent)
    raise AssertionError("never refused")


def test_creating_too_deep_is_refused_and_nothing_is_cut(cast: Cast) -> None:
    chain = _chain(cast.street, "DEEP")
    assert len(chain) > 20  # far deeper than any real tree
    longest = max(len(p) for p in Organization.objects.values_list("path", flat=True))
    assert longest <= PATH_MAX_CHARS
    deepest = chain[-1]
    assert deepest.path.startswith(cast.street.path) and deepest.path.endswith(f"/{deepest.pk}/")


def test_moving_a_subtree_below_a_deep_one_is_refused(cast: Cast) -> None:
    chain = _chain(cast.street, "DEEP")
    sub = create_organization(
        actor=None, parent=cast.district, code="SUB", name="子", kind="branch"
    )
    create_organization(actor=None, parent=sub, code="SUB1", name="孙", kind="branch")
    # the deepest node under which `sub` itself would fit, but not its child
    target = next(
        o
        for o in reversed(chain)
        if len(o.path) + len(f"{sub.pk}/")
        <= PATH_MAX_CHARS
        < len(o.path) + len(f"{sub.pk}/{sub.pk + 1}/")
    )
    with pytest.raises(DomainError, match="层级过深"):
        move_organization(sub, actor=cast.admin, new_parent=target)
    sub.refresh_from_db()
    assert sub.parent_id == cast.district.pk


def test_roster_import_too_deep_names_the_row(cast: Cast) -> None:
    rows = [["L0", "第0级", "党支部", "街道社区", "S1", "否", 1]]
    rows += [
        [f"L{i}", f"第{i}级", "党支部", "街道社区", f"L{i - 1}", "否", 1] for i in range(1, 150)
    ]
    before = Organization.objects.count()
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(rows, []), actor=cast.organizer)
    assert [e.message for e in exc.value.errors] == [TREE_TOO_DEEP]
    assert exc.value.errors[0].sheet == roster_layout.ORG_SHEET
    assert Organization.objects.count() == before
