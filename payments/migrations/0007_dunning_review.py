"""Dunning review fixes: an action that undoes dunning's own cancellation at period end
(`uncancel`, `undoes`), the direction `same` (the same state's code in another policy), the
oldest overdue due date an evaluation saw (the clock's selection), and states' currencies in
upper case."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models
from django.db.models.functions import Upper


def currencies_upper(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("payments", "DunningState").objects.exclude(amount_currency="").update(
        amount_currency=Upper("amount_currency")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_payouts"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="customerdunning",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="customerdunning",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="customerdunning",
            name="delete_delete",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="dunningaction",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="dunningaction",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="dunningaction",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="customerdunning",
            name="oldest_due_at",
            field=models.DateTimeField(
                blank=True,
                help_text="the due date of the oldest overdue invoice it was last evaluated with",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="customerdunningevent",
            name="oldest_due_at",
            field=models.DateTimeField(
                blank=True,
                help_text="the due date of the oldest overdue invoice it was last evaluated with",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="dunningaction",
            name="undoes",
            field=models.ForeignKey(
                blank=True,
                help_text="The cancellation at period end dunning set, that this action undoes.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="undone_by",
                to="payments.dunningaction",
            ),
        ),
        migrations.AddField(
            model_name="dunningactionevent",
            name="undoes",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The cancellation at period end dunning set, that this action undoes.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="payments.dunningaction",
            ),
        ),
        migrations.AlterField(
            model_name="dunningaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("pause", "Pause"),
                    ("cancel", "Cancel"),
                    ("cancel_end", "cancel at period end"),
                    ("uncollect", "mark uncollectible"),
                    ("uncancel", "undo cancel at period end"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="dunningactionevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("pause", "Pause"),
                    ("cancel", "Cancel"),
                    ("cancel_end", "cancel at period end"),
                    ("uncollect", "mark uncollectible"),
                    ("uncancel", "undo cancel at period end"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="dunningtransition",
            name="direction",
            field=models.CharField(
                choices=[
                    ("up", "entered (harsher)"),
                    ("down", "moved down (partly paid)"),
                    ("same", "same state, another policy"),
                    ("cleared", "left dunning"),
                ],
                max_length=7,
            ),
        ),
        migrations.AlterField(
            model_name="dunningtransitionevent",
            name="direction",
            field=models.CharField(
                choices=[
                    ("up", "entered (harsher)"),
                    ("down", "moved down (partly paid)"),
                    ("same", "same state, another policy"),
                    ("cleared", "left dunning"),
                ],
                max_length=7,
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="customerdunning",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_customerdunningevent" ("customer_id", "entered_at", "evaluated_at", "id", "next_check_at", "oldest_due_at", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "policy_id", "state_id", "transitions_count", "updated_at") VALUES (NEW."customer_id", NEW."entered_at", NEW."evaluated_at", NEW."id", NEW."next_check_at", NEW."oldest_due_at", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."policy_id", NEW."state_id", NEW."transitions_count", NEW."updated_at"); RETURN NULL;',
                    hash="d270c83f5264e28d8d9614fce44c80ea50f71918",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_5947c",
                    table="payments_customerdunning",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="customerdunning",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_customerdunningevent" ("customer_id", "entered_at", "evaluated_at", "id", "next_check_at", "oldest_due_at", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "policy_id", "state_id", "transitions_count", "updated_at") VALUES (NEW."customer_id", NEW."entered_at", NEW."evaluated_at", NEW."id", NEW."next_check_at", NEW."oldest_due_at", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."policy_id", NEW."state_id", NEW."transitions_count", NEW."updated_at"); RETURN NULL;',
                    hash="d84942069afd21ba37e53d811410ec570192a66a",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_03644",
                    table="payments_customerdunning",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="customerdunning",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_customerdunningevent" ("customer_id", "entered_at", "evaluated_at", "id", "next_check_at", "oldest_due_at", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "policy_id", "state_id", "transitions_count", "updated_at") VALUES (OLD."customer_id", OLD."entered_at", OLD."evaluated_at", OLD."id", OLD."next_check_at", OLD."oldest_due_at", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."policy_id", OLD."state_id", OLD."transitions_count", OLD."updated_at"); RETURN NULL;',
                    hash="fa73ce31f84e6ea5b97451700be45a7ef64f923c",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_e9126",
                    table="payments_customerdunning",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="dunningaction",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_dunningactionevent" ("customer_id", "done_at", "due_at", "id", "invoice_id", "kind", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "subscription_id", "transition_id", "undoes_id") VALUES (NEW."customer_id", NEW."done_at", NEW."due_at", NEW."id", NEW."invoice_id", NEW."kind", NEW."outcome", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."status", NEW."subscription_id", NEW."transition_id", NEW."undoes_id"); RETURN NULL;',
                    hash="eec80bb0f277d65619f06a740b39a1abd9d3d316",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_ae63c",
                    table="payments_dunningaction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="dunningaction",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "payments_dunningactionevent" ("customer_id", "done_at", "due_at", "id", "invoice_id", "kind", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "subscription_id", "transition_id", "undoes_id") VALUES (NEW."customer_id", NEW."done_at", NEW."due_at", NEW."id", NEW."invoice_id", NEW."kind", NEW."outcome", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."status", NEW."subscription_id", NEW."transition_id", NEW."undoes_id"); RETURN NULL;',
                    hash="6c2c1a0182da1a683543cb74b6e08ac94397803b",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_c602e",
                    table="payments_dunningaction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="dunningaction",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "payments_dunningactionevent" ("customer_id", "done_at", "due_at", "id", "invoice_id", "kind", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "subscription_id", "transition_id", "undoes_id") VALUES (OLD."customer_id", OLD."done_at", OLD."due_at", OLD."id", OLD."invoice_id", OLD."kind", OLD."outcome", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."status", OLD."subscription_id", OLD."transition_id", OLD."undoes_id"); RETURN NULL;',
                    hash="077a5375fc4d67a6d4009e03d5148ed9d8054cb0",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_9dfef",
                    table="payments_dunningaction",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunPython(currencies_upper, migrations.RunPython.noop),
    ]
