"""The template's example rows agree with its instructions: they are marked as
examples and an import that still contains them imports nothing and says why."""

from __future__ import annotations

import pytest

from shuping.organizations.models import Organization, Person
from shuping.organizations.roster_export import template
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import RosterInvalid


def test_template_imported_unchanged_imports_nothing_and_names_the_example_rows(cast):
    _, _, content = template()
    before = (Organization.objects.count(), Person.objects.count())
    with pytest.raises(RosterInvalid) as caught:
        import_roster(content, actor=cast.organizer)
    messages = [str(e) for e in caught.value.errors]
    assert any("组织 第2行" in m and "示例行" in m for m in messages)
    assert any("人员 第2行" in m and "示例行" in m for m in messages)
    assert (Organization.objects.count(), Person.objects.count()) == before
