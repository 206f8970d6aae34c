"""The hash chain: entries finished before it are sealed now, oldest first."""

import django.utils.timezone
from django.db import migrations, models

from audit import chain


def seal_existing(apps, schema_editor):
    entries = apps.get_model("audit", "AuditEntry")
    previous, sequence = chain.GENESIS, 0
    finished = entries.objects.exclude(finished_at=None).order_by("finished_at", "id")
    for pk in finished.values_list("pk", flat=True).iterator():
        sequence += 1
        entries.objects.filter(pk=pk).update(sequence=sequence, previous_hash=previous)
        stored = entries.objects.filter(pk=pk).values(*chain.FIELDS).get()
        previous = chain.digest(stored)
        entries.objects.filter(pk=pk).update(hash=previous)
    apps.get_model("audit", "ChainHead").objects.create(pk=1, sequence=sequence, hash=previous)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="Verification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("checked_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("ok", models.BooleanField()),
                ("entries", models.BigIntegerField(default=0)),
                ("problem", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["-checked_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
