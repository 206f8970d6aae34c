"""The audit log moves to its own app: its table is renamed, its rows stay.

Its content type moves along, so that permissions granted on it (and admin
history) still point at the audit log.
"""

from django.db import migrations


def move_content_type(apps, schema_editor, source="containers_app", target="audit"):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    if not content_types.filter(app_label=target, model="auditentry").exists():
        content_types.filter(app_label=source, model="auditentry").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="audit", target="containers_app")


class Migration(migrations.Migration):
    dependencies = [
        ("containers_app", "0002_engine_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditentry", table="audit_auditentry"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
