"""Two indexes of invoicing_invoice that every finalization (a non-HOT update) and every insert
wrote without serving a query: the varchar_pattern_ops ("_like") index of `number` (unique=True
becomes the same unique constraint, kept as it is, declared in Meta), and `corrects`' full index,
made partial (only the supplementary invoices, the only rows it finds). Database operations by
hand: the unique constraint and the foreign key stay as they are (Django's AlterField would drop
and re-validate the foreign key)."""

import django.db.models.deletion
from django.db import migrations, models

LIKE = "invoicing_invoice_number_f35f6ffa_like"  # Django's names for unique=True's "_like"
CORRECTS = "invoicing_invoice_corrects_id_6481022d"  # index and the foreign key's index


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0021_history_statement_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="invoice",
                    name="number",
                    field=models.CharField(blank=True, max_length=32, null=True),
                ),
                migrations.AddConstraint(
                    model_name="invoice",
                    constraint=models.UniqueConstraint(
                        fields=("number",), name="invoicing_invoice_number_key"
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="corrects",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The finalized invoice this supplementary invoice corrects.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="corrections",
                        to="invoicing.invoice",
                    ),
                ),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        condition=models.Q(("corrects__isnull", False)),
                        fields=["corrects"],
                        name="invoice_corrects_idx",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {LIKE}; DROP INDEX IF EXISTS {CORRECTS}; "
                    "CREATE INDEX invoice_corrects_idx ON invoicing_invoice (corrects_id) "
                    "WHERE corrects_id IS NOT NULL",
                    reverse_sql=(
                        "DROP INDEX invoice_corrects_idx; "
                        f"CREATE INDEX {CORRECTS} ON invoicing_invoice (corrects_id); "
                        f"CREATE INDEX {LIKE} ON invoicing_invoice (number varchar_pattern_ops)"
                    ),
                ),
            ],
        ),
    ]
