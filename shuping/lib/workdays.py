"""Working days in China: official holidays and 调休 workdays, with office corrections.

The chinesecalendar package knows the State Council's schedule for the years it was
released with; a later year falls back to Monday–Friday until the office enters the
corrections (`CalendarCorrection`), and `is_known_year` lets a page say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar

MAX_SPAN_DAYS = 3660  # a period longer than ten years is a typing mistake, not a notice


def is_known_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _corrections(start: date, end: date) -> dict[date, bool]:
    from shuping.lib.models import CalendarCorrection

    rows = CalendarCorrection.objects.filter(day__range=(start, end))
    return {row.day: row.is_workday for row in rows}


def is_workday(day: date, corrections: Mapping[date, bool] | None = None) -> bool:
    if corrections is not None and day in corrections:
        return corrections[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: date, days: int, *, corrections: Mapping[date, bool] | None = None) -> date:
    """The date `days` working days after `start` (start itself not counted).

    `add_workdays(friday, 1)` is the next Monday when Monday is a working day. With
    `corrections=None` the office's corrections are read from the database.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if corrections is None:
        corrections = _corrections(start, start + timedelta(days=days * 3 + 30))
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError("period too long")
        if is_workday(day, corrections):
            left -= 1
    return day


def workdays_between(
    start: date, end: date, *, corrections: Mapping[date, bool] | None = None
) -> int:
    """Working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValueError("period too long")
    if corrections is None:
        corrections = _corrections(start, end)
    return sum(
        1
        for n in range(1, (end - start).days + 1)
        if is_workday(start + timedelta(days=n), corrections)
    )
