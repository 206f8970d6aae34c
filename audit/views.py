"""`/audit/`: who did what, when, with which result and which docker command; and its exports."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from access import roles
from access.guards import role_required

from .actors import Actor
from .filters import AuditFilterForm
from .models import AuditEntry, Verification
from .rows import audit_rows
from .verify import verify

PAGE_SIZE = 50
EXPORT_FIELDS = [
    "id",
    "started_at",
    "finished_at",
    "duration_ms",
    "username",
    "source_ip",
    "action",
    "target_kind",
    "target_id",
    "target_name",
    "engine",
    "outcome",
    "error",
    "command",
    "parameters",
]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    """The entries the filters ask for, of those the user may see: an admin sees every
    entry, anyone else only their own."""
    form = AuditFilterForm(request.GET)
    entries = AuditEntry.objects.all()
    if not roles.allows(request.user, roles.Role.ADMIN):
        entries = entries.filter(user=request.user)
    return form, form.filter(entries)


def _exported(request: HttpRequest, kind: str) -> None:
    """An export is a read that matters: it goes to the log itself."""
    entry = AuditEntry.begin(
        Actor.from_request(request),
        "audit_export",
        target_kind="audit",
        target_name=kind,
        parameters={"filters": request.GET.urlencode()[:2000]},
    )
    entry.finish(AuditEntry.Outcome.SUCCEEDED)


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    last_check = Verification.objects.first()
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "rows_html": audit_rows(page.object_list),
            "query": query.urlencode(),
            "total": page.paginator.count,
            "broken": last_check if last_check is not None and not last_check.ok else None,
            "last_check": last_check,
        },
    )


@require_POST
@role_required(roles.Role.ADMIN, "verifying the audit log")
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Check the chain now (what `manage.py verify_audit` does); the check is an entry too."""
    result = verify()
    entry = AuditEntry.begin(Actor.from_request(request), "audit_verify", target_kind="audit")
    outcome = AuditEntry.Outcome.SUCCEEDED if result.ok else AuditEntry.Outcome.FAILED
    entry.finish(outcome, error=result.problem)
    if result.ok:
        messages.success(request, f"The audit log is intact: {result.entries} entries checked.")
    else:
        messages.error(request, f"The audit log is broken: {result.problem}.")
    return redirect("audit:list")


def _record(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "started_at": entry.started_at.isoformat(),
        "finished_at": entry.finished_at.isoformat() if entry.finished_at else None,
        "duration_ms": entry.duration_ms,
        "username": entry.username,
        "source_ip": entry.source_ip,
        "action": entry.action,
        "target_kind": entry.target_kind,
        "target_id": entry.target_id,
        "target_name": entry.target_name,
        "engine": entry.endpoint,
        "outcome": entry.outcome,
        "error": entry.error,
        "command": entry.command,
        "parameters": entry.parameters,
    }


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@require_GET
def audit_export_csv(request: HttpRequest) -> HttpResponse:
    _, entries = _filtered(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for entry in entries.iterator(chunk_size=2000):
        record = _record(entry)
        writer.writerow([_cell(record[name]) for name in EXPORT_FIELDS])
    _exported(request, "csv")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dockside-audit.csv"'
    return response


@require_GET
def audit_export_json(request: HttpRequest) -> JsonResponse:
    _, entries = _filtered(request)
    records = [_record(entry) for entry in entries.iterator(chunk_size=2000)]
    _exported(request, "json")
    response = JsonResponse(
        records,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Disposition"] = 'attachment; filename="dockside-audit.json"'
    return response
