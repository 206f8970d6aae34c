from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: its model, filters, pages and exports, and the record of sign-ins."""

    name = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import account_events

        account_events.connect()
