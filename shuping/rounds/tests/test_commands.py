from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.management import call_command

from shuping.rounds.models import Deadline, Reminder
from shuping.rounds.preset_services import copy_preset
from shuping.rounds.testing import make_campaign


def test_presets_command_lists_every_preset_with_its_seed(cast):
    copy_preset(
        "002_shichang_jianguan",
        actor=cast.street_organizer,
        committee=cast.street,
        key="jd-002",
        title="甲街道两支部述职",
    )
    out = io.StringIO()
    call_command("presets", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 6
    assert lines[2].startswith("002_shichang_jianguan\t") and lines[2].endswith(
        "002_b1addb69841a860d.txt"
    )
    assert lines[5].startswith("jd-002\t") and "002_b1addb69841a860d.txt" in lines[5]


def test_remind_command_is_idempotent(cast):
    campaign = make_campaign(cast.street, reporters=[cast.branch])
    today = date(2027, 1, 19)
    Deadline.objects.create(
        campaign=campaign, key="report_due", title="报送述职报告", due_on=today + timedelta(days=1)
    )
    for expected in ("新提醒 2 条", "新提醒 0 条"):
        out = io.StringIO()
        call_command("remind", date=today.isoformat(), stdout=out)
        assert out.getvalue().strip() == expected
    assert Reminder.objects.count() == 2
