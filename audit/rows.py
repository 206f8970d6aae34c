"""The rows of the audit table, rendered in Python like the container and volume tables
(containers_app/pages/container_rows.py): fifty rows of eight cells made the template
engine's per-variable cost most of `/audit/`. Every stored value is escaped here;
nothing is marked safe that did not pass `escape`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import AuditEntry


def _when(entry: AuditEntry) -> str:
    """When it started, in the current time zone (as the date filter shows it)."""
    started = timezone.localtime(entry.started_at)
    return f'<time datetime="{started.isoformat()}">{started:%Y-%m-%d %H:%M:%S}</time>'


def _duration(milliseconds: float | None) -> str:
    """Whole milliseconds, halves rounded up (as `floatformat:0`)."""
    if milliseconds is None:
        return ""
    whole = Decimal(repr(milliseconds)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole:f} ms"


def audit_row(entry: AuditEntry) -> str:
    user = escape(entry.username) if entry.username else "—"
    if entry.source_ip:
        user += f' <span class="muted mono">{escape(entry.source_ip)}</span>'
    action = escape(entry.action)
    if entry.endpoint:
        action += f' <span class="muted">on {escape(entry.endpoint)}</span>'
    outcome = escape(entry.outcome)
    error = f'<div class="error-text">{escape(entry.error)}</div>' if entry.error else ""
    command = ""
    if entry.command:
        code = f"audit-command-{entry.id}"
        command = (
            f'<code id="{code}">{escape(entry.command)}</code> <button type="button"'
            f' class="copy" data-copy="{code}" aria-label="Copy the command of entry'
            f' {entry.id}">Copy</button>'
        )
    return (
        f'<tr><td class="nowrap" data-label="When">{_when(entry)}</td>'
        f'<td data-label="User">{user}</td>'
        f'<td class="title">{action}</td>'
        f'<td class="wrap" data-label="Target">{escape(entry.target_kind)}'
        f" {escape(entry.target_name)}</td>"
        f'<td data-label="Outcome"><span class="state outcome-{outcome}">{outcome}</span>'
        f"{error}</td>"
        f'<td class="num" data-label="Duration">{_duration(entry.duration_ms)}</td>'
        f'<td class="command-cell" data-label="Command">{command}</td></tr>'
    )


def audit_rows(entries) -> SafeString:
    return mark_safe("\n".join(audit_row(entry) for entry in entries))  # noqa: S308
