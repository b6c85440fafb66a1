"""The default portal configuration, "Default": what a finance team expects before it has
chosen anything — customers may cancel at period end (and undo it), manage their payment methods
and edit their billing details; plan changes are on, but no plan is listed, so none is offered
until staff list the plans customers may switch to (admin: Portal › Portal configurations)."""

from django.db import migrations
from django.utils import timezone


def create_default(apps, schema_editor):  # type: ignore[no-untyped-def]
    PortalConfiguration = apps.get_model("portal", "PortalConfiguration")
    if PortalConfiguration.objects.filter(is_default=True).exists():
        return
    now = timezone.now()
    PortalConfiguration.objects.get_or_create(
        name="Default",
        defaults={
            "is_default": True,
            "allow_plan_change": True,
            "allow_cancel": True,
            "allow_payment_method_update": True,
            "allow_billing_details_update": True,
            "created_at": now,
            "updated_at": now,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
