"""Helpers for the per-seed end-to-end tests: a tree shaped like the seed, users with
roles, and an API client that calls as the outside world does (Bearer token, CSRF on)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from shuping.accounts.models import Role
from shuping.conftest import make_user
from shuping.filing.tests.conftest import bearer
from shuping.organizations.models import Organization, OrgKind, PersonCategory, Sector
from shuping.organizations.services import create_organization, create_person


def org(
    parent: Organization | None,
    code: str,
    name: str,
    kind: str,
    sector: str = Sector.ORGAN,
    *,
    secretary: str | None = "",
    **extra: Any,
) -> Organization:
    """A node; with a secretary named `secretary` (generated when ""), vacant when None."""
    node = create_organization(
        actor=None, parent=parent, code=code, name=name, kind=kind, sector=sector, **extra
    )
    if secretary is not None:
        person = create_person(
            actor=None, organization=node, name=secretary or f"{name[:4]}书记", position="书记"
        )
        node.secretary = person
        node.save(update_fields=["secretary"])
    return node


def branches(parent: Organization, prefix: str, names: list[str], **kw: Any) -> list[Organization]:
    return [
        org(parent, f"{prefix}{i:02d}", name, OrgKind.BRANCH, **kw)
        for i, name in enumerate(names, start=1)
    ]


class Api:
    """Calls /api/v1 as `user` with a Bearer token and CSRF checks enforced."""

    def __init__(self, user: Any) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = bearer(user, self.client)

    def get(self, path: str) -> Any:
        response = self.client.get(f"/api/v1{path}", headers=self.headers)
        assert response.status_code == 200, response.content.decode()
        return response.json()

    def post(self, path: str, data: Any = None, *, status: int = 200) -> Any:
        response = self.client.post(
            f"/api/v1{path}",
            json.dumps(data or {}),
            content_type="application/json",
            headers=self.headers,
        )
        assert response.status_code == status, response.content.decode()
        return response.json() if response.content else None

    def upload(self, path: str, name: str, data: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(
            f"/api/v1{path}", {"file": SimpleUploadedFile(name, data)}, headers=self.headers
        )
        assert response.status_code == 200, response.content.decode()
        return response.json()


def members(branch: Organization, names: list[str]) -> None:
    """Party members of a branch (they are reviewed in 民主评议党员)."""
    for name in names:
        create_person(actor=None, organization=branch, name=name, category=PersonCategory.MEMBER)


def users(committee: Organization, superior_org: Organization) -> tuple[Any, Any]:
    """The committee's office (organizer) and the superior it files with."""
    office = make_user(f"office-{committee.code}", role=Role.ORGANIZER, org=committee)
    superior = make_user(f"superior-{committee.code}", role=Role.SUPERIOR, org=superior_org)
    return office, superior
