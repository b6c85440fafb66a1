"""Payouts: payees, their payout methods and customers, schedules, payouts and their calls
(issue 13)."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0010_dunning_blocks_and_payout_ledger"),
        ("payments", "0005_dunning"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.CreateModel(
            name="Payee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("external_id", models.CharField(max_length=255, unique=True)),
                ("name", models.CharField(max_length=255)),
                ("email", models.EmailField(blank=True, max_length=254)),
                (
                    "currency",
                    models.CharField(help_text="What the payee is paid in.", max_length=3),
                ),
                (
                    "timezone",
                    models.CharField(
                        default="UTC",
                        help_text="The zone its schedules' periods are counted in.",
                        max_length=64,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("active", "Active"), ("archived", "Archived")],
                        default="active",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("archived_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ("external_id",),
            },
        ),
        migrations.CreateModel(
            name="PayeeCustomer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "ordering": ("payee_id", "id"),
            },
        ),
        migrations.CreateModel(
            name="PayeeCustomerEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="PayeeEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("external_id", models.CharField(max_length=255)),
                ("name", models.CharField(max_length=255)),
                ("email", models.EmailField(blank=True, max_length=254)),
                (
                    "currency",
                    models.CharField(help_text="What the payee is paid in.", max_length=3),
                ),
                (
                    "timezone",
                    models.CharField(
                        default="UTC",
                        help_text="The zone its schedules' periods are counted in.",
                        max_length=64,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("active", "Active"), ("archived", "Archived")],
                        default="active",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("archived_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="Payout",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period_start", models.DateTimeField()),
                ("period_end", models.DateTimeField()),
                (
                    "amount_kind",
                    models.CharField(
                        choices=[
                            ("fixed", "a fixed amount"),
                            ("percentage", "a percentage of the customers' payments less refunds"),
                        ],
                        max_length=10,
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=4, max_digits=20)),
                ("currency", models.CharField(max_length=3)),
                (
                    "percentage",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=7, null=True),
                ),
                (
                    "payments_total",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Percentage payouts: the customers' payments received in the period.",
                        max_digits=20,
                        null=True,
                    ),
                ),
                (
                    "refunds_total",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Percentage payouts: what was refunded to them in the period.",
                        max_digits=20,
                        null=True,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("processing", "Processing"),
                            ("paid", "Paid"),
                            ("failed", "Failed"),
                            ("canceled", "Canceled"),
                            ("skipped", "Skipped"),
                        ],
                        max_length=10,
                    ),
                ),
                ("gateway", models.CharField(blank=True, max_length=16)),
                ("gateway_reference", models.CharField(blank=True, max_length=255)),
                (
                    "idempotency_key",
                    models.CharField(
                        help_text="The payout's key; attempt n is sent as <key>-a<n>.",
                        max_length=128,
                        unique=True,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                (
                    "requested_at",
                    models.DateTimeField(
                        blank=True, help_text="When the current attempt was sent.", null=True
                    ),
                ),
                ("next_retry_at", models.DateTimeField(blank=True, null=True)),
                ("failure_code", models.CharField(blank=True, max_length=64)),
                ("failure_message", models.CharField(blank=True, max_length=255)),
                ("paid_at", models.DateTimeField(blank=True, null=True)),
                ("canceled_at", models.DateTimeField(blank=True, null=True)),
                ("cancel_reason", models.CharField(blank=True, max_length=255)),
                ("created_by", models.CharField(max_length=255)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
            ],
            options={
                "ordering": ("-period_start", "-id"),
            },
        ),
        migrations.CreateModel(
            name="PayoutCall",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attempt", models.PositiveSmallIntegerField()),
                ("gateway", models.CharField(blank=True, max_length=16)),
                (
                    "action",
                    models.CharField(
                        choices=[("payout", "Payout"), ("status", "Status")], max_length=6
                    ),
                ),
                ("idempotency_key", models.CharField(max_length=140)),
                ("outcome", models.CharField(max_length=9)),
                ("reference", models.CharField(blank=True, max_length=255)),
                ("reason", models.CharField(blank=True, max_length=64)),
                ("message", models.CharField(blank=True, max_length=255)),
                ("raw", models.JSONField(default=dict)),
                ("at", models.DateTimeField()),
            ],
            options={
                "ordering": ("at", "id"),
            },
        ),
        migrations.CreateModel(
            name="PayoutEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("period_start", models.DateTimeField()),
                ("period_end", models.DateTimeField()),
                (
                    "amount_kind",
                    models.CharField(
                        choices=[
                            ("fixed", "a fixed amount"),
                            ("percentage", "a percentage of the customers' payments less refunds"),
                        ],
                        max_length=10,
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=4, max_digits=20)),
                ("currency", models.CharField(max_length=3)),
                (
                    "percentage",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=7, null=True),
                ),
                (
                    "payments_total",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Percentage payouts: the customers' payments received in the period.",
                        max_digits=20,
                        null=True,
                    ),
                ),
                (
                    "refunds_total",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="Percentage payouts: what was refunded to them in the period.",
                        max_digits=20,
                        null=True,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("processing", "Processing"),
                            ("paid", "Paid"),
                            ("failed", "Failed"),
                            ("canceled", "Canceled"),
                            ("skipped", "Skipped"),
                        ],
                        max_length=10,
                    ),
                ),
                ("gateway", models.CharField(blank=True, max_length=16)),
                ("gateway_reference", models.CharField(blank=True, max_length=255)),
                (
                    "idempotency_key",
                    models.CharField(
                        help_text="The payout's key; attempt n is sent as <key>-a<n>.",
                        max_length=128,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                (
                    "requested_at",
                    models.DateTimeField(
                        blank=True, help_text="When the current attempt was sent.", null=True
                    ),
                ),
                ("next_retry_at", models.DateTimeField(blank=True, null=True)),
                ("failure_code", models.CharField(blank=True, max_length=64)),
                ("failure_message", models.CharField(blank=True, max_length=255)),
                ("paid_at", models.DateTimeField(blank=True, null=True)),
                ("canceled_at", models.DateTimeField(blank=True, null=True)),
                ("cancel_reason", models.CharField(blank=True, max_length=255)),
                ("created_by", models.CharField(max_length=255)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="PayoutMethod",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "gateway",
                    models.CharField(
                        choices=[
                            ("sandbox", "sandbox (deterministic by token)"),
                            ("manual", "manual (a bank transfer staff make)"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        help_text="The sandbox token (tok_ok ...), or for the manual gateway the bank account's reference staff pay to (an IBAN, an internal label).",
                        max_length=255,
                    ),
                ),
                ("label", models.CharField(blank=True, max_length=255)),
                ("is_default", models.BooleanField(default=False)),
                (
                    "state",
                    models.CharField(
                        choices=[("active", "Active"), ("detached", "Detached")],
                        default="active",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("detached_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ("payee_id", "-is_default", "id"),
            },
        ),
        migrations.CreateModel(
            name="PayoutMethodEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "gateway",
                    models.CharField(
                        choices=[
                            ("sandbox", "sandbox (deterministic by token)"),
                            ("manual", "manual (a bank transfer staff make)"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        help_text="The sandbox token (tok_ok ...), or for the manual gateway the bank account's reference staff pay to (an IBAN, an internal label).",
                        max_length=255,
                    ),
                ),
                ("label", models.CharField(blank=True, max_length=255)),
                ("is_default", models.BooleanField(default=False)),
                (
                    "state",
                    models.CharField(
                        choices=[("active", "Active"), ("detached", "Detached")],
                        default="active",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("detached_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="PayoutSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "interval_unit",
                    models.CharField(
                        choices=[
                            ("day", "Day"),
                            ("week", "Week"),
                            ("month", "Month"),
                            ("year", "Year"),
                        ],
                        max_length=5,
                    ),
                ),
                ("interval_count", models.PositiveSmallIntegerField(default=1)),
                (
                    "anchor",
                    models.DateField(
                        help_text="Local date (the payee's zone) the periods are counted from: the first period starts at its midnight."
                    ),
                ),
                (
                    "amount_kind",
                    models.CharField(
                        choices=[
                            ("fixed", "a fixed amount"),
                            ("percentage", "a percentage of the customers' payments less refunds"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "fixed_amount",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True),
                ),
                (
                    "percentage",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="0 < p <= 100",
                        max_digits=7,
                        null=True,
                    ),
                ),
                ("currency", models.CharField(help_text="The payee's currency.", max_length=3)),
                ("active", models.BooleanField(default=True)),
                (
                    "next_index",
                    models.IntegerField(
                        default=0, help_text="n of the next period the clock has not paid out."
                    ),
                ),
                ("next_period_start", models.DateTimeField()),
                (
                    "next_period_end",
                    models.DateTimeField(
                        help_text="When the next period ends: the clock pays it out at or after this instant."
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
            ],
            options={
                "ordering": ("payee_id", "id"),
            },
        ),
        migrations.CreateModel(
            name="PayoutScheduleEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "interval_unit",
                    models.CharField(
                        choices=[
                            ("day", "Day"),
                            ("week", "Week"),
                            ("month", "Month"),
                            ("year", "Year"),
                        ],
                        max_length=5,
                    ),
                ),
                ("interval_count", models.PositiveSmallIntegerField(default=1)),
                (
                    "anchor",
                    models.DateField(
                        help_text="Local date (the payee's zone) the periods are counted from: the first period starts at its midnight."
                    ),
                ),
                (
                    "amount_kind",
                    models.CharField(
                        choices=[
                            ("fixed", "a fixed amount"),
                            ("percentage", "a percentage of the customers' payments less refunds"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "fixed_amount",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True),
                ),
                (
                    "percentage",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="0 < p <= 100",
                        max_digits=7,
                        null=True,
                    ),
                ),
                ("currency", models.CharField(help_text="The payee's currency.", max_length=3)),
                ("active", models.BooleanField(default=True)),
                (
                    "next_index",
                    models.IntegerField(
                        default=0, help_text="n of the next period the clock has not paid out."
                    ),
                ),
                ("next_period_start", models.DateTimeField()),
                (
                    "next_period_end",
                    models.DateTimeField(
                        help_text="When the next period ends: the clock pays it out at or after this instant."
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
            ],
            options={
                "abstract": False,
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payee",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payeeevent" ("archived_at", "created_at", "currency", "email", "external_id", "id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state", "timezone", "updated_at") VALUES (NEW."archived_at", NEW."created_at", NEW."currency", NEW."email", NEW."external_id", NEW."id", NEW."name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."state", NEW."timezone", NEW."updated_at"); RETURN NULL;',
                    hash="e4f937aa6e85a364d3e86b4b3a9ea3cb0b21f825",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_cc697",
                    table="payments_payee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payee",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payeeevent" ("archived_at", "created_at", "currency", "email", "external_id", "id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state", "timezone", "updated_at") VALUES (NEW."archived_at", NEW."created_at", NEW."currency", NEW."email", NEW."external_id", NEW."id", NEW."name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."state", NEW."timezone", NEW."updated_at"); RETURN NULL;',
                    hash="2a7e40834544ab3ecfad82436be25d3c5e244dc8",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a51ff",
                    table="payments_payee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payee",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payeeevent" ("archived_at", "created_at", "currency", "email", "external_id", "id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state", "timezone", "updated_at") VALUES (OLD."archived_at", OLD."created_at", OLD."currency", OLD."email", OLD."external_id", OLD."id", OLD."name", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."state", OLD."timezone", OLD."updated_at"); RETURN NULL;',
                    hash="1cc59d055567a026557f7b778dfacb6473f7db6e",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_7d5dc",
                    table="payments_payee",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddField(
            model_name="payeecustomer",
            name="customer",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payee_link",
                to="billing.customer",
            ),
        ),
        migrations.AddField(
            model_name="payeecustomer",
            name="payee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customer_links",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payeecustomerevent",
            name="customer",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="billing.customer",
            ),
        ),
        migrations.AddField(
            model_name="payeecustomerevent",
            name="payee",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payeecustomerevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="payeecustomerevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="payments.payeecustomer",
            ),
        ),
        migrations.AddField(
            model_name="payeeevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="payeeevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="payee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payouts",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payoutcall",
            name="payout",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="calls",
                to="payments.payout",
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="payee",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="payments.payout",
            ),
        ),
        migrations.AddField(
            model_name="payoutmethod",
            name="payee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payout_methods",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="method",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.payoutmethod",
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="method",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payouts",
                to="payments.payoutmethod",
            ),
        ),
        migrations.AddField(
            model_name="payoutmethodevent",
            name="payee",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payoutmethodevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="payoutmethodevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="payments.payoutmethod",
            ),
        ),
        migrations.AddField(
            model_name="payoutschedule",
            name="payee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="schedules",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="schedule",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.payoutschedule",
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="schedule",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payouts",
                to="payments.payoutschedule",
            ),
        ),
        migrations.AddField(
            model_name="payoutscheduleevent",
            name="payee",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.payee",
            ),
        ),
        migrations.AddField(
            model_name="payoutscheduleevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="payoutscheduleevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="payments.payoutschedule",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payeecustomer",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payeecustomerevent" ("created_at", "customer_id", "id", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."created_at", NEW."customer_id", NEW."id", NEW."payee_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id"); RETURN NULL;',
                    hash="da7ad69bdb8c106f713a7219232b7fea549c2a53",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_e14db",
                    table="payments_payeecustomer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payeecustomer",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payeecustomerevent" ("created_at", "customer_id", "id", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."created_at", NEW."customer_id", NEW."id", NEW."payee_id", _pgh_attach_context(), NOW(), \'update\', NEW."id"); RETURN NULL;',
                    hash="c52214649e74fdd61a42d30c23594d5970f4ecd8",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_44016",
                    table="payments_payeecustomer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payeecustomer",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payeecustomerevent" ("created_at", "customer_id", "id", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (OLD."created_at", OLD."customer_id", OLD."id", OLD."payee_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id"); RETURN NULL;',
                    hash="deaa6bfac50bc228b723665101370368447a7ab1",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_e0ff0",
                    table="payments_payeecustomer",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="payoutcall",
            index=models.Index(fields=["payout"], name="payments_payoutcall_payout_idx"),
        ),
        migrations.AddConstraint(
            model_name="payoutmethod",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)),
                fields=("payee",),
                name="payments_one_default_payout_method",
            ),
        ),
        migrations.AddConstraint(
            model_name="payoutmethod",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_default", False), ("state", "active"), _connector="OR"),
                name="payments_default_payout_method_active",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutmethod",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutmethodevent" ("created_at", "detached_at", "gateway", "id", "is_default", "label", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state", "token", "updated_at") VALUES (NEW."created_at", NEW."detached_at", NEW."gateway", NEW."id", NEW."is_default", NEW."label", NEW."payee_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."state", NEW."token", NEW."updated_at"); RETURN NULL;',
                    hash="f966273e0761def50eb5ef627f1b39cfe87e54e5",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_f8d61",
                    table="payments_payoutmethod",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutmethod",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payoutmethodevent" ("created_at", "detached_at", "gateway", "id", "is_default", "label", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state", "token", "updated_at") VALUES (NEW."created_at", NEW."detached_at", NEW."gateway", NEW."id", NEW."is_default", NEW."label", NEW."payee_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."state", NEW."token", NEW."updated_at"); RETURN NULL;',
                    hash="9436d3f788694638ed010174f1577c3270199286",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_829f0",
                    table="payments_payoutmethod",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutmethod",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutmethodevent" ("created_at", "detached_at", "gateway", "id", "is_default", "label", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "state", "token", "updated_at") VALUES (OLD."created_at", OLD."detached_at", OLD."gateway", OLD."id", OLD."is_default", OLD."label", OLD."payee_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."state", OLD."token", OLD."updated_at"); RETURN NULL;',
                    hash="f29056249d6b67b4d4dbf138d7d741685c79d34f",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_45c1b",
                    table="payments_payoutmethod",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="payoutschedule",
            index=models.Index(
                condition=models.Q(("active", True)),
                fields=["next_period_end"],
                name="payments_payout_sched_due_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="payoutschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(("interval_count__gte", 1)),
                name="payments_payout_interval_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="payoutschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("amount_kind", "fixed"),
                        ("fixed_amount__gt", 0),
                        ("percentage__isnull", True),
                    ),
                    models.Q(
                        ("amount_kind", "percentage"),
                        ("fixed_amount__isnull", True),
                        ("percentage__gt", 0),
                        ("percentage__lte", 100),
                    ),
                    _connector="OR",
                ),
                name="payments_payout_schedule_amount",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutschedule",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutscheduleevent" ("active", "amount_kind", "anchor", "created_at", "currency", "fixed_amount", "id", "interval_count", "interval_unit", "next_index", "next_period_end", "next_period_start", "payee_id", "percentage", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."active", NEW."amount_kind", NEW."anchor", NEW."created_at", NEW."currency", NEW."fixed_amount", NEW."id", NEW."interval_count", NEW."interval_unit", NEW."next_index", NEW."next_period_end", NEW."next_period_start", NEW."payee_id", NEW."percentage", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at"); RETURN NULL;',
                    hash="e3692b465daacba262074aafbf94d0515488f493",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_8f8c8",
                    table="payments_payoutschedule",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutschedule",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payoutscheduleevent" ("active", "amount_kind", "anchor", "created_at", "currency", "fixed_amount", "id", "interval_count", "interval_unit", "next_index", "next_period_end", "next_period_start", "payee_id", "percentage", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."active", NEW."amount_kind", NEW."anchor", NEW."created_at", NEW."currency", NEW."fixed_amount", NEW."id", NEW."interval_count", NEW."interval_unit", NEW."next_index", NEW."next_period_end", NEW."next_period_start", NEW."payee_id", NEW."percentage", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at"); RETURN NULL;',
                    hash="141c7259b0f8f0c4e5e2d11cbfed9b5f9485358f",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_15d67",
                    table="payments_payoutschedule",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutschedule",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutscheduleevent" ("active", "amount_kind", "anchor", "created_at", "currency", "fixed_amount", "id", "interval_count", "interval_unit", "next_index", "next_period_end", "next_period_start", "payee_id", "percentage", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (OLD."active", OLD."amount_kind", OLD."anchor", OLD."created_at", OLD."currency", OLD."fixed_amount", OLD."id", OLD."interval_count", OLD."interval_unit", OLD."next_index", OLD."next_period_end", OLD."next_period_start", OLD."payee_id", OLD."percentage", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at"); RETURN NULL;',
                    hash="5b1dd8686d73ab6a8df165976b83256d38336663",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_d2885",
                    table="payments_payoutschedule",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="payout",
            index=models.Index(fields=["payee", "state"], name="payments_payout_payee_idx"),
        ),
        migrations.AddIndex(
            model_name="payout",
            index=models.Index(
                condition=models.Q(("state__in", ["pending", "processing"])),
                fields=["state", "next_retry_at"],
                name="payments_payout_open_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="payout",
            constraint=models.UniqueConstraint(
                fields=("schedule", "period_start"), name="payments_one_payout_per_period"
            ),
        ),
        migrations.AddConstraint(
            model_name="payout",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("amount__gt", 0),
                    models.Q(("amount", 0), ("state", "skipped")),
                    _connector="OR",
                ),
                name="payments_payout_amount_positive",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payout",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutevent" ("amount", "amount_kind", "attempts", "cancel_reason", "canceled_at", "created_at", "created_by", "currency", "failure_code", "failure_message", "gateway", "gateway_reference", "id", "idempotency_key", "method_id", "next_retry_at", "paid_at", "payee_id", "payments_total", "percentage", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunds_total", "requested_at", "schedule_id", "state", "updated_at") VALUES (NEW."amount", NEW."amount_kind", NEW."attempts", NEW."cancel_reason", NEW."canceled_at", NEW."created_at", NEW."created_by", NEW."currency", NEW."failure_code", NEW."failure_message", NEW."gateway", NEW."gateway_reference", NEW."id", NEW."idempotency_key", NEW."method_id", NEW."next_retry_at", NEW."paid_at", NEW."payee_id", NEW."payments_total", NEW."percentage", NEW."period_end", NEW."period_start", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."refunds_total", NEW."requested_at", NEW."schedule_id", NEW."state", NEW."updated_at"); RETURN NULL;',
                    hash="9a4671f6c46206a2db5c3ffc885cb51f883fa2d4",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_991c8",
                    table="payments_payout",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payout",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payoutevent" ("amount", "amount_kind", "attempts", "cancel_reason", "canceled_at", "created_at", "created_by", "currency", "failure_code", "failure_message", "gateway", "gateway_reference", "id", "idempotency_key", "method_id", "next_retry_at", "paid_at", "payee_id", "payments_total", "percentage", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunds_total", "requested_at", "schedule_id", "state", "updated_at") VALUES (NEW."amount", NEW."amount_kind", NEW."attempts", NEW."cancel_reason", NEW."canceled_at", NEW."created_at", NEW."created_by", NEW."currency", NEW."failure_code", NEW."failure_message", NEW."gateway", NEW."gateway_reference", NEW."id", NEW."idempotency_key", NEW."method_id", NEW."next_retry_at", NEW."paid_at", NEW."payee_id", NEW."payments_total", NEW."percentage", NEW."period_end", NEW."period_start", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."refunds_total", NEW."requested_at", NEW."schedule_id", NEW."state", NEW."updated_at"); RETURN NULL;',
                    hash="6d3f4b0e777f4416b15f17ca067339f78646fbfb",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_9c9c9",
                    table="payments_payout",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payout",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutevent" ("amount", "amount_kind", "attempts", "cancel_reason", "canceled_at", "created_at", "created_by", "currency", "failure_code", "failure_message", "gateway", "gateway_reference", "id", "idempotency_key", "method_id", "next_retry_at", "paid_at", "payee_id", "payments_total", "percentage", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunds_total", "requested_at", "schedule_id", "state", "updated_at") VALUES (OLD."amount", OLD."amount_kind", OLD."attempts", OLD."cancel_reason", OLD."canceled_at", OLD."created_at", OLD."created_by", OLD."currency", OLD."failure_code", OLD."failure_message", OLD."gateway", OLD."gateway_reference", OLD."id", OLD."idempotency_key", OLD."method_id", OLD."next_retry_at", OLD."paid_at", OLD."payee_id", OLD."payments_total", OLD."percentage", OLD."period_end", OLD."period_start", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."refunds_total", OLD."requested_at", OLD."schedule_id", OLD."state", OLD."updated_at"); RETURN NULL;',
                    hash="0b60c1ce1e9a8495af564416f27f52d65f4dde27",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_2bc54",
                    table="payments_payout",
                    when="AFTER",
                ),
            ),
        ),
        # review fixes: the basis, links with validity, carries, switch-off instant
        migrations.CreateModel(
            name="PayoutBasisItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=4, max_digits=20)),
            ],
            options={
                "ordering": ("payout_id", "id"),
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payeecustomer",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payeecustomer",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payeecustomer",
            name="delete_delete",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payout",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payout",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payout",
            name="delete_delete",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payoutschedule",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payoutschedule",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="payoutschedule",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="payeecustomer",
            name="unlinked_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When it stopped counting (removed); empty: current.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payeecustomerevent",
            name="unlinked_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When it stopped counting (removed); empty: current.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="carried_in",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the negative net carried from the previous payout (<= 0).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="carried_out",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the negative net carried to the next payout (<= 0).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="carried_in",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the negative net carried from the previous payout (<= 0).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payoutevent",
            name="carried_out",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the negative net carried to the next payout (<= 0).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payoutschedule",
            name="counts_from",
            field=models.DateTimeField(
                blank=True,
                help_text="Percentage basis: payments recorded from this instant count (empty: the first period's start; moved on when it resumes after periods entirely off).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payoutschedule",
            name="switched_off_at",
            field=models.DateTimeField(
                blank=True, help_text="When it was last switched off (empty: never).", null=True
            ),
        ),
        migrations.AddField(
            model_name="payoutscheduleevent",
            name="counts_from",
            field=models.DateTimeField(
                blank=True,
                help_text="Percentage basis: payments recorded from this instant count (empty: the first period's start; moved on when it resumes after periods entirely off).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="payoutscheduleevent",
            name="switched_off_at",
            field=models.DateTimeField(
                blank=True, help_text="When it was last switched off (empty: never).", null=True
            ),
        ),
        migrations.AlterField(
            model_name="payeecustomer",
            name="created_at",
            field=models.DateTimeField(help_text="When the link started counting (linked at)."),
        ),
        migrations.AlterField(
            model_name="payeecustomer",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payee_links",
                to="billing.customer",
            ),
        ),
        migrations.AlterField(
            model_name="payeecustomerevent",
            name="created_at",
            field=models.DateTimeField(help_text="When the link started counting (linked at)."),
        ),
        migrations.AlterField(
            model_name="payout",
            name="payments_total",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the customers' payments newly recorded (see the basis).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="payout",
            name="refunds_total",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the refunds of counted payments newly recorded.",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="payoutevent",
            name="payments_total",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the customers' payments newly recorded (see the basis).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="payoutevent",
            name="refunds_total",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Percentage payouts: the refunds of counted payments newly recorded.",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="payeecustomer",
            index=models.Index(fields=["customer"], name="payments_payeecust_cust_idx"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payeecustomer",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payeecustomerevent" ("created_at", "customer_id", "id", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "unlinked_at") VALUES (NEW."created_at", NEW."customer_id", NEW."id", NEW."payee_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."unlinked_at"); RETURN NULL;',
                    hash="66ea3157c2c4ce2bfc8ae54e71c747d80bdc6622",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_e14db",
                    table="payments_payeecustomer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payeecustomer",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payeecustomerevent" ("created_at", "customer_id", "id", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "unlinked_at") VALUES (NEW."created_at", NEW."customer_id", NEW."id", NEW."payee_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."unlinked_at"); RETURN NULL;',
                    hash="8bb70db1d52d6bc40906121895726e72274e2062",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_44016",
                    table="payments_payeecustomer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payeecustomer",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payeecustomerevent" ("created_at", "customer_id", "id", "payee_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "unlinked_at") VALUES (OLD."created_at", OLD."customer_id", OLD."id", OLD."payee_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."unlinked_at"); RETURN NULL;',
                    hash="82026f0c59ab4d01b12737e36a350a896879b5f1",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_e0ff0",
                    table="payments_payeecustomer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payout",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutevent" ("amount", "amount_kind", "attempts", "cancel_reason", "canceled_at", "carried_in", "carried_out", "created_at", "created_by", "currency", "failure_code", "failure_message", "gateway", "gateway_reference", "id", "idempotency_key", "method_id", "next_retry_at", "paid_at", "payee_id", "payments_total", "percentage", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunds_total", "requested_at", "schedule_id", "state", "updated_at") VALUES (NEW."amount", NEW."amount_kind", NEW."attempts", NEW."cancel_reason", NEW."canceled_at", NEW."carried_in", NEW."carried_out", NEW."created_at", NEW."created_by", NEW."currency", NEW."failure_code", NEW."failure_message", NEW."gateway", NEW."gateway_reference", NEW."id", NEW."idempotency_key", NEW."method_id", NEW."next_retry_at", NEW."paid_at", NEW."payee_id", NEW."payments_total", NEW."percentage", NEW."period_end", NEW."period_start", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."refunds_total", NEW."requested_at", NEW."schedule_id", NEW."state", NEW."updated_at"); RETURN NULL;',
                    hash="1a9ec1da34ac709fb70b44998c61edcd9e7be19e",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_991c8",
                    table="payments_payout",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payout",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payoutevent" ("amount", "amount_kind", "attempts", "cancel_reason", "canceled_at", "carried_in", "carried_out", "created_at", "created_by", "currency", "failure_code", "failure_message", "gateway", "gateway_reference", "id", "idempotency_key", "method_id", "next_retry_at", "paid_at", "payee_id", "payments_total", "percentage", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunds_total", "requested_at", "schedule_id", "state", "updated_at") VALUES (NEW."amount", NEW."amount_kind", NEW."attempts", NEW."cancel_reason", NEW."canceled_at", NEW."carried_in", NEW."carried_out", NEW."created_at", NEW."created_by", NEW."currency", NEW."failure_code", NEW."failure_message", NEW."gateway", NEW."gateway_reference", NEW."id", NEW."idempotency_key", NEW."method_id", NEW."next_retry_at", NEW."paid_at", NEW."payee_id", NEW."payments_total", NEW."percentage", NEW."period_end", NEW."period_start", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."refunds_total", NEW."requested_at", NEW."schedule_id", NEW."state", NEW."updated_at"); RETURN NULL;',
                    hash="4c80508a5d75737d7fa3c92fb35c441c54ee3bba",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_9c9c9",
                    table="payments_payout",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payout",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutevent" ("amount", "amount_kind", "attempts", "cancel_reason", "canceled_at", "carried_in", "carried_out", "created_at", "created_by", "currency", "failure_code", "failure_message", "gateway", "gateway_reference", "id", "idempotency_key", "method_id", "next_retry_at", "paid_at", "payee_id", "payments_total", "percentage", "period_end", "period_start", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunds_total", "requested_at", "schedule_id", "state", "updated_at") VALUES (OLD."amount", OLD."amount_kind", OLD."attempts", OLD."cancel_reason", OLD."canceled_at", OLD."carried_in", OLD."carried_out", OLD."created_at", OLD."created_by", OLD."currency", OLD."failure_code", OLD."failure_message", OLD."gateway", OLD."gateway_reference", OLD."id", OLD."idempotency_key", OLD."method_id", OLD."next_retry_at", OLD."paid_at", OLD."payee_id", OLD."payments_total", OLD."percentage", OLD."period_end", OLD."period_start", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."refunds_total", OLD."requested_at", OLD."schedule_id", OLD."state", OLD."updated_at"); RETURN NULL;',
                    hash="12aac90bc6f2dcd85bf9ea2ab9109058470d50fe",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_2bc54",
                    table="payments_payout",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutschedule",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutscheduleevent" ("active", "amount_kind", "anchor", "counts_from", "created_at", "currency", "fixed_amount", "id", "interval_count", "interval_unit", "next_index", "next_period_end", "next_period_start", "payee_id", "percentage", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "switched_off_at", "updated_at") VALUES (NEW."active", NEW."amount_kind", NEW."anchor", NEW."counts_from", NEW."created_at", NEW."currency", NEW."fixed_amount", NEW."id", NEW."interval_count", NEW."interval_unit", NEW."next_index", NEW."next_period_end", NEW."next_period_start", NEW."payee_id", NEW."percentage", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."switched_off_at", NEW."updated_at"); RETURN NULL;',
                    hash="7432e4ab2ed8b4ed176b81d0cadbeb0b1daaab9e",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_8f8c8",
                    table="payments_payoutschedule",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutschedule",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_payoutscheduleevent" ("active", "amount_kind", "anchor", "counts_from", "created_at", "currency", "fixed_amount", "id", "interval_count", "interval_unit", "next_index", "next_period_end", "next_period_start", "payee_id", "percentage", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "switched_off_at", "updated_at") VALUES (NEW."active", NEW."amount_kind", NEW."anchor", NEW."counts_from", NEW."created_at", NEW."currency", NEW."fixed_amount", NEW."id", NEW."interval_count", NEW."interval_unit", NEW."next_index", NEW."next_period_end", NEW."next_period_start", NEW."payee_id", NEW."percentage", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."switched_off_at", NEW."updated_at"); RETURN NULL;',
                    hash="e8cadba1abc120725d9461c4460ffc301238213c",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_15d67",
                    table="payments_payoutschedule",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="payoutschedule",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_payoutscheduleevent" ("active", "amount_kind", "anchor", "counts_from", "created_at", "currency", "fixed_amount", "id", "interval_count", "interval_unit", "next_index", "next_period_end", "next_period_start", "payee_id", "percentage", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "switched_off_at", "updated_at") VALUES (OLD."active", OLD."amount_kind", OLD."anchor", OLD."counts_from", OLD."created_at", OLD."currency", OLD."fixed_amount", OLD."id", OLD."interval_count", OLD."interval_unit", OLD."next_index", OLD."next_period_end", OLD."next_period_start", OLD."payee_id", OLD."percentage", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."switched_off_at", OLD."updated_at"); RETURN NULL;',
                    hash="dab108c32f2ea71c40f9d0e0c6ef2c3197e942d8",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_d2885",
                    table="payments_payoutschedule",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="payeecustomer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unlinked_at__isnull", True)),
                fields=("customer",),
                name="payments_one_current_payee_per_customer",
            ),
        ),
        migrations.AddConstraint(
            model_name="payeecustomer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("unlinked_at__isnull", True),
                    ("unlinked_at__gte", models.F("created_at")),
                    _connector="OR",
                ),
                name="payments_payee_customer_valid_range",
            ),
        ),
        migrations.AddField(
            model_name="payoutbasisitem",
            name="payment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payments.payment",
            ),
        ),
        migrations.AddField(
            model_name="payoutbasisitem",
            name="payout",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="basis_items",
                to="payments.payout",
            ),
        ),
        migrations.AddField(
            model_name="payoutbasisitem",
            name="refund",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payments.refund",
            ),
        ),
        migrations.AddField(
            model_name="payoutbasisitem",
            name="schedule",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="basis_items",
                to="payments.payoutschedule",
            ),
        ),
        migrations.AddIndex(
            model_name="payoutbasisitem",
            index=models.Index(fields=["payout"], name="payments_basis_payout_idx"),
        ),
        migrations.AddConstraint(
            model_name="payoutbasisitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("payment__isnull", False)),
                fields=("schedule", "payment"),
                name="payments_basis_payment_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="payoutbasisitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("refund__isnull", False)),
                fields=("schedule", "refund"),
                name="payments_basis_refund_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="payoutbasisitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("amount__gt", 0), ("payment__isnull", False), ("refund__isnull", True)
                    ),
                    models.Q(
                        ("amount__lt", 0), ("payment__isnull", True), ("refund__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="payments_basis_payment_or_refund",
            ),
        ),
    ]
