"""The journal's `type` keeps its plain index (renamed journal_type_idx, not rebuilt) and loses
the varchar_pattern_ops ("_like") index db_index=True added for LIKE 'x%', which no query uses
and every event's COPY wrote."""

from django.db import migrations, models

OLD = "billing_journalevent_type_9c27bb54"  # Django's name for db_index=True on the column


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0024_history_statement_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="journalevent",
                    name="type",
                    field=models.CharField(max_length=100),
                ),
                migrations.AddIndex(
                    model_name="journalevent",
                    index=models.Index(fields=["type"], name="journal_type_idx"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {OLD}_like; ALTER INDEX {OLD} RENAME TO journal_type_idx",
                    reverse_sql=(
                        f"ALTER INDEX journal_type_idx RENAME TO {OLD}; CREATE INDEX {OLD}_like "
                        "ON billing_journalevent (type varchar_pattern_ops)"
                    ),
                ),
            ],
        ),
    ]
