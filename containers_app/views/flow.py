"""The one path every action form takes: preview, validate, audit, act, answer.

GET shows the form and the command it stands for. A POST with `_preview`
only answers the command (htmx swaps it in as you type; without JavaScript
the page comes back with it). Any other POST validates: bad input is a 400
with messages at the fields and a failed audit entry; good input goes to the
action, whose Docker errors are put back on the field they concern with a 4xx.
Success redirects (post/redirect/get); the forms are htmx-boosted, so the
browser swaps the new page, or just the panel the form names, without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from access import guards, roles

from .. import actions, cli
from ..docker_service import DockerServiceError, EngineUnavailable, ProcessResult, http_status
from ..forms import SpecForm
from ..pages.engine_errors import Explained, explain
from ..pages.waits import Busy

PREVIEW_FIELD = "_preview"


def refused(request: HttpRequest, action: str) -> HttpResponse | None:
    """A page of an action the user's role does not allow: the 403 that says why, and a
    failed audit entry. None when the role allows it."""
    role, doing = roles.needs(action)
    return guards.denied(request, role, doing, action)


@dataclass
class ActionPage:
    """How to show one action's form page."""

    template: str
    title: str
    submit_label: str
    context: dict = field(default_factory=dict)
    danger: bool = False
    confirm: str = ""  # what the browser asks before submitting (with JavaScript)
    busy: Busy | None = None  # what the page says while the action runs


@dataclass
class Done:
    """What a successful action answers: a message, and a page or a result to show.

    No message where the page it leads to says itself what goes on (a job's page).
    """

    message: str
    redirect_to: str | None = None
    result: dict | None = None
    failed: bool = False  # it ran, but what it ran failed (a non-zero exit): said in red
    response: HttpResponse | None = None  # answered as it is (a download)


def process_ending(result: ProcessResult) -> str:
    """How a process Dockside waited for ended, in words that follow "it"."""
    if result.timed_out:
        return "is still running after the wait limit; it goes on in the background"
    if result.exit_code == 0:
        return "exited with code 0 (success)"
    return f"failed: it exited with code {result.exit_code}"


def local_url(request: HttpRequest, target: str | None) -> str:
    """`target` if it is a path on this site (a safe place to send the browser back to), else ""."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def render_page(
    request: HttpRequest,
    page: ActionPage,
    form: SpecForm,
    *,
    status: int = 200,
    result: dict | None = None,
    engine_message: Explained | None = None,
) -> HttpResponse:
    context = {
        "engine_message": engine_message.engine_message if engine_message else "",
        **page.context,
        "page": page,
        "form": form,
        "command": shown_command(form),
        "command_ready": getattr(form, "spec", None) is not None,
        "result": result,
    }
    if request.htmx and request.POST.get(PREVIEW_FIELD):
        context["live_preview"] = True
        return render(request, "_command_preview.html#body", context, status=status)
    return render(request, page.template, context, status=status)


def shown_command(form: SpecForm) -> str:
    """The command of a form that was validated, or its shape while it cannot be built."""
    spec = getattr(form, "spec", None)
    return cli.command(spec) if spec is not None else form.placeholder()


def handle_action(
    request: HttpRequest,
    form: SpecForm,
    page: ActionPage,
    act: Callable[[actions.Actor, object], Done],
    target_name: str,
) -> HttpResponse:
    if request.method != "POST":
        if form.is_bound:
            form.is_valid()
        return render_page(request, page, form)
    valid = form.is_valid()
    if request.POST.get(PREVIEW_FIELD):
        return render_page(request, page, form)
    actor = actions.Actor.from_request(request)
    if not valid:
        actions.record_rejected(
            actor,
            form.action,
            form.target_kind,
            target_name,
            form.audit_data(),
            form.error_summary(),
        )
        return render_page(request, page, form, status=400)
    try:
        done = act(actor, form.spec)
    except EngineUnavailable:
        raise
    except DockerServiceError as exc:
        explained = explain(exc)
        # Errors that name their fields (a policy's refusals) go to each; others to one.
        for field, message in getattr(exc, "field_errors", [(None, explained.sentence)]):
            form.add_error(field if field in form.fields else form.field_for(exc), message)
        status = http_status(exc, otherwise=400)
        return render_page(request, page, form, status=status, engine_message=explained)
    if done.response is not None:
        return done.response
    if done.message:
        (messages.error if done.failed else messages.success)(request, done.message)
    if done.redirect_to:
        return redirect(done.redirect_to)
    return render_page(request, page, form, result=done.result)


# --- controls that act on nothing (a log view, a terminal): their command, as they change


def with_defaults(params: QueryDict, defaults: dict[str, str]) -> QueryDict:
    """The controls as asked, or as the page first shows them."""
    if params.get(PREVIEW_FIELD):
        return params
    data = QueryDict(mutable=True)
    data.update(defaults)
    return data


def preview(request: HttpRequest, form: SpecForm) -> HttpResponse | None:
    """The command for the controls as they are now, when that is what was asked."""
    if not (request.htmx and request.GET.get(PREVIEW_FIELD)):
        return None
    context = {
        "form": form,
        "command": controls_command(form),
        "command_ready": form.is_valid(),
        "live_preview": True,
    }
    return render(request, "_command_preview.html#body", context)


def controls_command(form: SpecForm) -> str:
    form.is_valid()
    return shown_command(form)
