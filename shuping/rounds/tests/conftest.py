from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shuping.organizations.models import Organization
from shuping.organizations.services import create_organization, create_person

_counter = {"n": 0}


def make_org(
    parent: Organization | None,
    name: str,
    kind: str,
    sector: str,
    *,
    secretary: bool = True,
    **extra: Any,
) -> Organization:
    _counter["n"] += 1
    org = create_organization(
        actor=None,
        parent=parent,
        code=f"T{_counter['n']:05d}",
        name=name,
        kind=kind,
        sector=sector,
        **extra,
    )
    if secretary:
        person = create_person(
            actor=None, organization=org, name=f"{name[:6]}书记", position=f"{name}书记"
        )
        org.secretary = person
        org.save(update_fields=["secretary"])
    return org


@pytest.fixture
def org_factory(db: object) -> Callable[..., Organization]:
    return make_org
