from django.apps import AppConfig


class MemberReviewConfig(AppConfig):
    """民主评议党员: self-evaluation, committee review, the members' vote (through the
    ballots app), determination, confirmation, 公示, archive and what follows."""

    name = "shuping.member_review"
    verbose_name = "民主评议党员"

    def ready(self) -> None:
        from shuping.member_review.audit_labels import register_audit_labels

        register_audit_labels()
        from shuping.ballots.items import register_item_provider
        from shuping.member_review.services import ballot_items
        from shuping.rounds.rules import MEMBER_REVIEW_MEETING

        register_item_provider(MEMBER_REVIEW_MEETING, ballot_items)
