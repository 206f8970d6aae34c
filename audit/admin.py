"""The audit log in the Django admin: readable, never editable."""

from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("started_at", "username", "action", "target_name", "outcome", "command")
    list_filter = ("outcome", "action", "target_kind")
    search_fields = ("username", "target_name", "target_id", "command", "error")
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
