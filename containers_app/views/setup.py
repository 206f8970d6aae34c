"""The one-time page that creates the first admin.

It exists only while no user exists, and only for a browser on this machine
(loopback, not through a proxy), so a fresh install is never open to the network.
"""

from __future__ import annotations

import ipaddress

from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def setup_allowed(request: HttpRequest) -> bool:
    if get_user_model().objects.exists():
        return False
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


class FirstAdminForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username",)


@login_not_required
@require_http_methods(["GET", "POST"])
def first_admin(request: HttpRequest) -> HttpResponse:
    if not setup_allowed(request):
        raise Http404("Set-up is closed: an account exists, or you are not on this machine.")
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.is_staff = True
        user.is_superuser = True
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("containers:list")
    return render(request, "registration/setup.html", {"form": form})
