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
        """Each try is counted before the password is checked; one made while a wait runs
        is refused without checking it."""
        username, address = request.POST.get("username", ""), client_ip(request)
        if not (username and request.POST.get("password")):
            return super().post(request, *args, **kwargs)  # the form says what is missing
        wait = throttle.attempt(username, address)
        if wait is None:
            return super().post(request, *args, **kwargs)
        record(Actor(None, address), "login_throttled", username, False, wait.message())
        form = self.get_form_class()(request=request, initial={"username": username[:150]})
        context = self.get_context_data(form=form, throttled=wait.message())
        return self.render_to_response(context, status=TOO_MANY)

    def form_valid(self, form) -> HttpResponse:
        throttle.succeeded(self.request.POST.get("username", ""), client_ip(self.request))
        return super().form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        username = self.request.POST.get("username", "")
        if username and (wait := throttle.waiting(username, client_ip(self.request))):
            form.add_error(None, wait.message())
        return super().form_invalid(form)
