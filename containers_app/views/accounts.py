"""Sign-in, with a pointer to the first-admin page on a fresh install."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from .setup import setup_allowed


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["setup_available"] = setup_allowed(self.request)
        return context
