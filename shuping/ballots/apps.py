from django.apps import AppConfig


class BallotsConfig(AppConfig):
    """Secret ballots (民主测评): tokens, sheets, paper entry and the tally.

    Kept apart from meetings so the tables that must never be joined to a person
    live in one small, separately reviewed place."""

    name = "shuping.ballots"
    verbose_name = "民主测评"

    def ready(self) -> None:
        from shuping.ballots.panels import results_panel, turnout_panel
        from shuping.meetings.models import ProjectorMode
        from shuping.meetings.projector import register_projector_panel

        register_projector_panel(ProjectorMode.TURNOUT, turnout_panel)
        register_projector_panel(ProjectorMode.RESULTS, results_panel)
