from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_dunning")]

    operations: list[migrations.operations.base.Operation] = []
