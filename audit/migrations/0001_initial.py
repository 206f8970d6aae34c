"""The audit log's model; its table comes from containers_app (0003 renamed it), rows and all."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("containers_app", "0003_audit_moves_to_its_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("username", models.CharField(blank=True, db_index=True, max_length=150)),
                        ("source_ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("action", models.CharField(db_index=True, max_length=40)),
                        ("target_kind", models.CharField(blank=True, max_length=20)),
                        ("target_id", models.CharField(blank=True, max_length=128)),
                        (
                            "target_name",
                            models.CharField(blank=True, db_index=True, max_length=512),
                        ),
                        ("parameters", models.JSONField(blank=True, default=dict)),
                        ("command", models.TextField(blank=True)),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("pending", "pending"),
                                    ("succeeded", "succeeded"),
                                    ("failed", "failed"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("error", models.TextField(blank=True)),
                        ("duration", models.DurationField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "ordering": ["-started_at", "-id"],
                    },
                ),
            ],
        ),
    ]
