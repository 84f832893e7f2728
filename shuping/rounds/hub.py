"""The round page is the hub of a round. The stages above rounds (reports, meetings,
ballots, and later assessment, results, rectification, filing) plug into it here,
from their `AppConfig.ready()`, without editing the round's template:

- `register_stage_link(key, fn)`: fn(campaign, user) -> StageLink | None, a button in
  the round's row of stage links ("述职报告 12/20 已提交" → the reports overview);
- `register_status_column(key, title, fn)`: fn(campaign, reporters) -> {reporter_id:
  StatusCell}, one column of the per-reporter status table, computed for all the
  round's reporters at once (one or two queries, never one per reporter);
- `register_step_link(step_key, fn)`: fn(campaign) -> url | None, where a timeline
  step (the preset's timeline keys: "report_due", "meeting", "filing" …) is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shuping.rounds.models import Campaign, Reporter


@dataclass(frozen=True)
class StageLink:
    label: str  # the stage, as the office names it: "述职评议会"
    url: str
    note: str = ""  # a figure or state: "2 场，1 场进行中"
    order: int = 50  # place in the process: reports 20, meetings 30, ballots 40 …


@dataclass(frozen=True)
class StatusCell:
    text: str
    tone: str = ""  # badge colour: ok / warn / bad / info / ""
    url: str = ""


StageFn = Callable[["Campaign", Any], "StageLink | None"]
ColumnFn = Callable[["Campaign", list["Reporter"]], dict[int, StatusCell]]
StepFn = Callable[["Campaign"], "str | None"]

STAGES: dict[str, StageFn] = {}
COLUMNS: dict[str, tuple[str, int, ColumnFn]] = {}
STEPS: dict[str, StepFn] = {}


def register_stage_link(key: str, fn: StageFn) -> None:
    STAGES[key] = fn


def register_status_column(key: str, title: str, fn: ColumnFn, *, order: int = 50) -> None:
    COLUMNS[key] = (title, order, fn)


def register_step_link(step_keys: Iterable[str], fn: StepFn) -> None:
    for key in step_keys:
        STEPS[key] = fn


def stage_links(campaign: Campaign, user: Any) -> list[StageLink]:
    links = [link for fn in STAGES.values() if (link := fn(campaign, user)) is not None]
    return sorted(links, key=lambda link: link.order)


@dataclass(frozen=True)
class StatusTable:
    titles: list[str]
    rows: dict[int, list[StatusCell | None]]  # reporter id → one cell per column


def status_table(campaign: Campaign, reporters: list[Reporter]) -> StatusTable:
    columns = sorted(COLUMNS.values(), key=lambda c: c[1])
    results = [fn(campaign, reporters) for _, _, fn in columns]
    return StatusTable(
        titles=[title for title, _, _ in columns],
        rows={r.pk: [result.get(r.pk) for result in results] for r in reporters},
    )


def step_url(campaign: Campaign, step_key: str) -> str | None:
    fn = STEPS.get(step_key)
    return fn(campaign) if fn is not None else None
