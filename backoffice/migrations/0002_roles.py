"""The back office's roles as groups: Finance manager, Finance viewer, Support (their
permissions from the role table, backoffice/roles.py). Permissions are created by post_migrate,
after every migration: they are created here first, for every app, so that the groups get them
on the first `migrate` of a new database. The post_migrate handler keeps them in line later."""

from typing import Any

from django.db import migrations


def create_roles(apps: Any, schema_editor: Any) -> None:
    from django.contrib.auth.management import create_permissions

    from backoffice.roles_sync import roles_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = (
            True  # historical app configs have none: create_permissions skips them
        )
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    roles_sync(apps=apps, using=schema_editor.connection.alias)


def drop_roles(apps: Any, schema_editor: Any) -> None:
    from backoffice.roles import ROLES

    group = apps.get_model("auth", "Group")
    group.objects.using(schema_editor.connection.alias).filter(
        name__in=[role.name for role in ROLES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("backoffice", "0001_initial"),
        ("core", "0002_jobs"),
        ("catalog", "0003_metric_allow_negative"),
        ("billing", "0016_journal_occurred_at_brin"),
        ("invoicing", "0015_branding"),
        ("payments", "0008_payment_method_gateway_customer"),
        ("notifications", "0001_notifications"),
        ("portal", "0003_access_login_requests"),
        ("integrations", "0002_webhook_claims_livemode"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
