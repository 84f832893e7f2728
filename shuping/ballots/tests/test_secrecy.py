"""Who took part and what was chosen share no key, and nothing follows the casting order."""

from __future__ import annotations

from django.db import connection, models

from shuping.audit.models import AuditEntry
from shuping.ballots import services
from shuping.ballots.models import Ballot, BallotToken, Mark, PaperEntry, Sheet
from shuping.ballots.tests.conftest import all_grade

CHOICE_TABLES = (Sheet, Mark)


def _columns(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        return {
            col.name
            for col in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }


def _relations(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        return {
            target
            for target, _ in connection.introspection.get_relations(
                cursor, model._meta.db_table
            ).values()
        }


def test_schema_has_no_key_between_participation_and_choices(db: object) -> None:
    token_table = BallotToken._meta.db_table
    token_cols = _columns(BallotToken)
    assert token_cols == {"token_hash", "ballot_id", "category", "used"}
    for model in CHOICE_TABLES:
        cols = _columns(model)
        # No foreign key into the token table, and no token column of any kind.
        assert token_table not in _relations(model)
        assert not any("token" in c or "hash" in c for c in cols), cols
        # The only columns shared with the token table: the ballot and the category
        # (printed on the slip anyway, needed for weights) — never a row key.
        assert cols & token_cols <= {"ballot_id", "category"}
        # No person, user or time of any kind.
        assert not any(c in cols for c in ("person_id", "user_id", "clerk_id", "created_at"))
        for field in model._meta.get_fields():
            assert not isinstance(field, (models.DateTimeField, models.DateField)), field
            if field.is_relation and field.related_model is not None:
                assert field.related_model in (Ballot, Sheet, Mark), field
        # Random primary keys, never an autoincrement that follows the casting order.
        assert isinstance(model._meta.pk, models.UUIDField)
    # The token table knows nothing of sheets either.
    assert Sheet._meta.db_table not in _relations(BallotToken)
    assert not any(
        f.is_relation and f.related_model in CHOICE_TABLES for f in BallotToken._meta.get_fields()
    )


def test_rows_hold_no_token_and_audit_holds_no_choice(open_ballot: Ballot) -> None:
    tokens = services.issue_tokens(open_ballot, actor=None, category="leader", count=3)
    for token, grade in zip(tokens, ["好", "较好", "差"], strict=True):
        services.submit_sheet(token, choices=all_grade(open_ballot, grade))
    hashes = {services.hash_token(t) for t in tokens}
    secrets_ = set(tokens) | hashes
    dump = [str(v) for row in Sheet.objects.values_list() for v in row]
    dump += [str(v) for row in Mark.objects.values_list() for v in row]
    assert not any(s in d for s in secrets_ for d in dump)
    audit = " ".join(
        f"{e.action} {e.changes} {e.note} {e.target_label}" for e in AuditEntry.objects.all()
    )
    assert not any(s in audit for s in secrets_)
    assert "较好" not in audit  # no choice reached the log
    assert not AuditEntry.objects.filter(action__contains="submit").exists()
    # Sheet ids are random UUIDs, unrelated to the order they were cast in.
    assert len({s.id.version for s in Sheet.objects.all()}) == 1
    assert Sheet.objects.get(id=Sheet.objects.first().id).id.version == 4  # type: ignore[union-attr]


def test_close_rewrites_sheets_with_fresh_ids(open_ballot: Ballot) -> None:
    tokens = services.issue_tokens(open_ballot, actor=None, category="leader", count=4)
    for token in tokens:
        services.submit_sheet(token, choices=all_grade(open_ballot, "好"))
    before = set(Sheet.objects.values_list("id", flat=True))
    services.close_ballot(open_ballot, actor=None)
    after = set(Sheet.objects.values_list("id", flat=True))
    assert len(after) == 4 and not before & after
    assert Mark.objects.count() == 4 * 3


def test_paper_entries_name_the_clerk_not_the_voter(db: object) -> None:
    cols = _columns(PaperEntry)
    assert "clerk_id" in cols and "person_id" not in cols
