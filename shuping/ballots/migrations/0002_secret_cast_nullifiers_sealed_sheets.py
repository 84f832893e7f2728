# Ballots: a spent token becomes a nullifier instead of a `used` flag on its row.

import django.db.models.deletion
import uuid
from django.db import migrations, models


def spent_tokens_to_nullifiers(apps, schema_editor):
    # Tokens spent before this change keep counting as spent: their hash is a valid
    # nullifier candidate (sealing.nullifier_candidates). Only ballots still open or
    # in preparation need it; closed ballots refuse every token anyway.
    BallotToken = apps.get_model("ballots", "BallotToken")
    Nullifier = apps.get_model("ballots", "Nullifier")
    spent = BallotToken.objects.filter(used=True).exclude(ballot__state="closed")
    Nullifier.objects.bulk_create(
        [Nullifier(value=h, ballot_id=b) for h, b in spent.values_list("token_hash", "ballot_id")],
        batch_size=500,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('ballots', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Nullifier',
            fields=[
                ('value', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('ballot', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='ballots.ballot')),
            ],
            options={
                'verbose_name': '已提交标记',
            },
        ),
        migrations.CreateModel(
            name='SealedSheet',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('box', models.BinaryField()),
                ('ballot', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='ballots.ballot')),
            ],
            options={
                'verbose_name': '密封测评票',
            },
        ),
        migrations.RunPython(spent_tokens_to_nullifiers, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='ballottoken',
            name='ballot_token_used',
        ),
        migrations.RemoveField(
            model_name='ballottoken',
            name='used',
        ),
        migrations.AlterField(
            model_name='ballottoken',
            name='ballot',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tokens', to='ballots.ballot'),
        ),
    ]
