"""Relative dates in presets resolve to days that exist, and every page shows the day
that reminders and overdue checks use."""

from __future__ import annotations

import calendar
from datetime import date

import pytest

from shuping.rounds.presets import PresetFileError, parse_preset_text, shipped_presets
from shuping.rounds.proposal import phase_dates
from shuping.rounds.rules import Rules, resolve_relative_date
from shuping.rounds.templatetags.rounds_tags import relative

YEARS = range(2015, 2041)  # common and leap years, and the years after a leap year


def relative_dates(rules: Rules) -> list[str]:
    values = [v for p in rules.timeline for v in (p.start, p.due) if v]
    values += [v for v in (rules.filing_due,) if v]
    if rules.member_review and rules.member_review.meeting_due:
        values.append(rules.member_review.meeting_due)
    return values


@pytest.mark.parametrize("key", sorted(shipped_presets()))
def test_every_preset_date_is_a_real_day_in_every_year(key: str) -> None:
    rules = shipped_presets()[key].rules
    for year in YEARS:
        for value in relative_dates(rules):
            day = resolve_relative_date(value, year)
            assert isinstance(day, date)
            # what the page says is the day the deadline uses
            assert relative(value, year) == f"{day.year}年{day.month}月{day.day}日"
        for start, due in phase_dates(rules.timeline, year).values():
            assert start is None or due is None or start <= due


def test_month_end_and_29_february() -> None:
    assert resolve_relative_date("+1-02-end", 2026) == date(2027, 2, 28)
    assert resolve_relative_date("+1-02-end", 2027) == date(2028, 2, 29)
    assert resolve_relative_date("+1-02-29", 2026) == date(2027, 2, 28)
    assert resolve_relative_date("+1-02-29", 2027) == date(2028, 2, 29)
    assert resolve_relative_date("+0-04-end", 2026) == date(2026, 4, 30)
    for year in YEARS:
        last = calendar.monthrange(year + 1, 2)[1]
        assert resolve_relative_date("+1-02-end", year).day == last


def test_preset_page_never_names_a_day_that_may_not_exist() -> None:
    assert relative("+1-02-end") == "次年2月底"
    assert relative("+1-02-29") == "次年2月底"
    assert relative("+1-02-28") == "次年2月28日"
    assert relative("+0-12-26") == "当年12月26日"
    assert relative("+1-02-end", 2026) == "2027年2月28日"


@pytest.mark.parametrize("bad", ["+1-04-31", "+1-02-30", "+1-13-01", "+1-00-10", "+1-02-xx"])
def test_a_date_that_cannot_resolve_fails_validation_with_its_path(bad: str) -> None:
    text = shipped_presets()["002_shichang_jianguan"].text.replace(
        'filing_due = "+1-02-09"', f'filing_due = "{bad}"'
    )
    with pytest.raises(PresetFileError) as err:
        parse_preset_text(text, source="002.toml")
    assert err.value.path == "filing_due"
    assert "该月须有这一天" in err.value.message


@pytest.mark.django_db
def test_round_page_shows_the_day_the_deadline_uses(client, cast) -> None:
    from shuping.rounds.services import create_campaign

    campaign = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    filed = campaign.deadlines.get(
        key=next(p.key for p in campaign.parsed_rules.timeline if p.due == "+1-02-end")
    )
    assert filed.due_on == date(2027, 2, 28)
    client.force_login(cast.organizer)
    page = client.get(f"/rounds/{campaign.pk}/").content.decode()
    assert "2027年2月28日" in page and "2月29日" not in page
    # the preset's length and page rules contradict each other: said once, on the plan
    assert page.count("不能同时满足") == 1
