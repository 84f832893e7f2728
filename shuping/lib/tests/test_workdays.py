from __future__ import annotations

from datetime import date

import pytest

from shuping.lib.models import CalendarCorrection
from shuping.lib.workdays import add_workdays, is_known_year, is_workday, workdays_between


def test_weekend_is_skipped() -> None:
    friday = date(2026, 6, 5)
    assert add_workdays(friday, 1, corrections={}) == date(2026, 6, 8)
    assert add_workdays(friday, 3, corrections={}) == date(2026, 6, 10)
    assert workdays_between(friday, date(2026, 6, 10), corrections={}) == 3


def test_official_holiday_and_adjusted_workday() -> None:
    # 2026 National Day: 10-01..10-07 off; Sunday 09-20 (调休) is a working day.
    assert not is_workday(date(2026, 10, 5), {})
    assert add_workdays(date(2026, 9, 30), 1, corrections={}) == date(2026, 10, 8)


def test_unknown_year_falls_back_to_weekdays() -> None:
    assert not is_known_year(2099)
    assert is_workday(date(2099, 1, 1), {})  # a Thursday; the office must correct it
    assert not is_workday(date(2099, 1, 1), {date(2099, 1, 1): False})


@pytest.mark.django_db
def test_office_corrections_are_read() -> None:
    CalendarCorrection.objects.create(day=date(2099, 1, 2), is_workday=False, note="元旦调休")
    assert add_workdays(date(2099, 1, 1), 1) == date(2099, 1, 5)


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        add_workdays(date(2026, 1, 1), -1, corrections={})
