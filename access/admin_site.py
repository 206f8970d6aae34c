"""The Django admin, for Dockside's admins only: staff status alone is not enough, since
the admin can change accounts and roles."""

from __future__ import annotations

from django.contrib import admin

from .models import Role
from .roles import allows


class AdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and allows(request.user, Role.ADMIN)
