from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_aging_report")]

    operations: list[migrations.operations.base.Operation] = []
