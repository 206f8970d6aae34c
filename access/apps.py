from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccessConfig(AppConfig):
    """Roles (viewer, operator, admin), the host-access policy and sign-in throttling."""

    default = True
    name = "access"
    verbose_name = "Access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import account_changes

        account_changes.connect()


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Dockside's site (admin_site.AdminSite)."""

    default = False
    default_site = "access.admin_site.AdminSite"
