"""Sign-in: throttled per username and address (access.throttle), with a pointer to the
first-admin page on a fresh install."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from access import throttle
from audit.account_events import record
from audit.actors import Actor, client_ip

from .setup import setup_allowed

TOO_MANY = 429


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["setup_available"] = setup_allowed(self.request)
        return context

    def post(self, request, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        wait = throttle.waiting(username, client_ip(request))
        if wait is None:
            return super().post(request, *args, **kwargs)
        record(Actor(None, client_ip(request)), "login_throttled", username, False, wait.message())
        form = self.get_form()
        form.errors.clear()
        form.add_error(None, wait.message())
        return self.render_to_response(self.get_context_data(form=form), status=TOO_MANY)

    def form_valid(self, form) -> HttpResponse:
        throttle.succeeded(form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        username = self.request.POST.get("username", "")
        if username and self.request.POST.get("password"):
            wait = throttle.failed(username, client_ip(self.request))
            if wait is not None:
                form.add_error(None, wait.message())
        return super().form_invalid(form)
