"""Usage events gain an operation (issue 17, item 10): "add" (every event so far) or "remove"
(a unique count's value taken away). The table is partitioned and unmanaged (migration 0004):
the column is added by hand. A constant default makes ADD COLUMN a catalogue change only
(PostgreSQL 11+: no rewrite of the partitions, whatever their size); every partition, the
default one included, inherits it. No CHECK constraint: adding one would scan every partition
under an exclusive lock; ingestion (billing.metering.check_event) accepts only the two values."""

from django.db import migrations, models

ADD_SQL = "ALTER TABLE billing_usageevent ADD COLUMN operation varchar(6) NOT NULL DEFAULT 'add'"
DROP_SQL = "ALTER TABLE billing_usageevent DROP COLUMN operation"


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0017_subscription_price_moves"),
    ]

    operations = [
        migrations.RunSQL(
            ADD_SQL,
            DROP_SQL,
            state_operations=[
                migrations.AddField(
                    model_name="usageevent",
                    name="operation",
                    field=models.CharField(
                        choices=[("add", "add"), ("remove", "remove")],
                        default="add",
                        help_text="add: the event counts; remove: a unique count's value is "
                        "taken away (unique count metrics only).",
                        max_length=6,
                    ),
                ),
            ],
        ),
    ]
