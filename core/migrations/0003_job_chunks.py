from django.db import migrations, models


class Migration(migrations.Migration):
    """Job.chunks: the chunks of a job split over several tasks that were counted already, so
    that a chunk delivered twice (late acks, a worker lost, the broker's visibility timeout) is
    counted once."""

    dependencies = [
        ("core", "0002_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="chunks",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The keys of the chunks counted already (a job split over several "
                "tasks): a chunk delivered again is not counted twice.",
            ),
        ),
    ]
