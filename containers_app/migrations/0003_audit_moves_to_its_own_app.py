"""The audit log moves to its own app: its table is renamed, its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("containers_app", "0002_engine_events"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditentry", table="audit_auditentry"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
        ),
    ]
