"""Template tags of rounds, incl. the "what is due next" panel for any page.

The home page can show it with `{% load rounds_tags %}{% upcoming_panel %}`.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shuping.rounds.deadlines import upcoming_for
from shuping.rounds.notes import plan_notes
from shuping.rounds.rules import MONTH_END, Rules, parse_relative_date, resolve_relative_date

register = template.Library()


@register.inclusion_tag("rounds/_upcoming_panel.html", takes_context=True)
def upcoming_panel(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    items = upcoming_for(user) if user is not None and user.is_authenticated else []
    return {"items": items, "request": request}


@register.inclusion_tag("rounds/_rules_summary.html")
def rules_summary(
    rules: Rules,
    year: int | None = None,
    places: int | None = None,
    for_office: bool = False,
) -> dict[str, Any]:
    """On a round, `year` and `places` are the round's own: dates are shown as the real
    days deadlines use, and the on-site places as the round set them. Where the seed is
    silent and how it was read (方案说明) is for the office only (`for_office`)."""
    return {
        "rules": rules,
        "year": year,
        "places": places,
        "plan_notes": plan_notes(rules),
        "for_office": for_office,
    }


@register.simple_tag
def status_badge(status: str, label: str) -> SafeString:
    css = {"draft": "info", "active": "ok", "closed": ""}.get(status, "")
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.filter
def relative(value: str, year: int | None = None) -> str:
    """ "+1-01-20" → "次年1月20日"; with the round year, the real day ("2027年2月28日").

    Without a year, a day that only some years have ("+1-02-29") or the month end reads
    "2月底", so the preset page never names a day that may not exist.
    """
    try:
        offset, month, day = parse_relative_date(value)
    except ValueError:
        return value
    if year:
        real = resolve_relative_date(value, int(year))
        return f"{real.year}年{real.month}月{real.day}日"
    when = {0: "当年", 1: "次年", -1: "上年"}.get(offset, f"{offset:+d}年")
    if day == MONTH_END or (day > 28 and month == 2):
        return f"{when}{month}月底"
    return f"{when}{month}月{day}日"


@register.filter
def meeting_title(rules: Rules, key: str) -> str:
    """A meeting key of the preset (`members`, `committee`) as the office names it."""
    for meeting in rules.meetings:
        if meeting.key == key:
            return meeting.title
    return "述职评议会"


@register.filter
def mode_label(value: str) -> str:
    """`onsite` → 现场述职."""
    from shuping.rounds.models import ReportMode

    return dict(ReportMode.choices).get(value, "")
