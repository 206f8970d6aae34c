"""`/access/users/` and `/access/policy/`: accounts, roles and the host-access policy (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.actors import Actor

from . import accounts, policy
from .forms import AccountForm, PasswordFields, PolicyForm, RoleForm
from .guards import role_required
from .models import HostPolicy, Role, SignInFailures
from .roles import NotAllowed, role_of

MANAGING = "managing accounts"


def _users():
    users = get_user_model().objects.select_related("membership").order_by("username")
    return [(user, role_of(user) or "deactivated") for user in users]


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN, MANAGING)
def users(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            accounts.create_account(
                Actor.from_request(request), data["username"], data["password1"], data["role"]
            )
            messages.success(request, f"Created {data['username']} ({data['role']}).")
            return redirect("access:users")
        status = 400
    locked = SignInFailures.objects.filter(locked_until__gt=timezone.now()).order_by("key")
    context = {"users": _users(), "form": form, "locked": locked}
    return render(request, "access/users.html", context, status=status)


def _account_change(request: HttpRequest, change, done: str) -> HttpResponse:
    try:
        change()
    except NotAllowed as exc:
        messages.error(request, f"Nothing changed: {exc}")
        return redirect("access:users")
    messages.success(request, done)
    return redirect("access:users")


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN, MANAGING)
def user(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(get_user_model(), pk=user_id)
    actor = Actor.from_request(request)
    name = account.get_username()
    what = request.POST.get("do", "")
    role_form = RoleForm(
        request.POST if what == "role" else None, initial={"role": role_of(account)}
    )
    password_form = PasswordFields(request.POST if what == "password" else None)
    if what == "role" and role_form.is_valid():
        role = role_form.cleaned_data["role"]
        return _account_change(
            request, lambda: accounts.set_role(actor, account, role), f"{name} is now {role}."
        )
    if what == "password" and password_form.is_valid():
        password = password_form.cleaned_data["password1"]
        return _account_change(
            request,
            lambda: accounts.set_password(actor, account, password),
            f"{name}'s password is changed; their open pages and terminals were closed.",
        )
    if what in {"activate", "deactivate"}:
        active = what == "activate"
        return _account_change(
            request,
            lambda: accounts.set_active(actor, account, active),
            f"{name} is {'active' if active else 'deactivated: their open pages closed'}.",
        )
    if what == "delete":
        return _account_change(
            request, lambda: accounts.delete_account(actor, account), f"Removed {name}."
        )
    status = 400 if request.method == "POST" else 200
    context = {
        "account": account,
        "role": role_of(account),
        "role_form": role_form,
        "password_form": password_form,
    }
    return render(request, "access/user.html", context, status=status)


@require_POST
@role_required(Role.ADMIN, MANAGING)
def unlock(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    return _account_change(
        request,
        lambda: accounts.lift_lockout(Actor.from_request(request), key),
        f"Sign-in is open again for {key.partition(':')[2]}.",
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN, "changing the host-access policy")
def policy_page(request: HttpRequest) -> HttpResponse:
    current = HostPolicy.current()
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            policy.save_policy(Actor.from_request(request), form)
            messages.success(request, "The host-access policy is saved.")
            return redirect("access:policy")
        return render(request, "access/policy.html", {"form": form}, status=400)
    return render(request, "access/policy.html", {"form": form})
