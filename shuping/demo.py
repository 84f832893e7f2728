"""The demo: a district modelled on seed 003 with rounds in several stages.

Each app contributes one idempotent step (`<app>/demo.py::load`), run in order;
a second `shuping demo` finds everything in place and changes nothing. Steps
return the demo logins they created, which `shuping demo` prints.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

DEMO_PASSWORD = "shuping2026"

STEPS = [
    "shuping.organizations.demo",
    "shuping.rounds.demo",
    "shuping.reports.demo",
    "shuping.meetings.demo",
    "shuping.ballots.demo",
    "shuping.inspections.demo",
    "shuping.assessment.demo",
    "shuping.results.demo",
    "shuping.rectification.demo",
    "shuping.member_review.demo",
    "shuping.filing.demo",
    "shuping.demo_story",  # the tree's names, the timeline and the record's times
    "shuping.rounds.demo_reminders",  # last: reminders over the finished story
]

Login = tuple[str, str]  # (username, what the account is for)


def load_demo(out: Callable[[str], None] = print) -> list[Login]:
    logins: list[Login] = []
    for name in STEPS:
        module = importlib.import_module(name)
        logins.extend(module.load(out) or [])
    return logins
