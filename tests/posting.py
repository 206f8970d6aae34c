"""Submitting Dockside's forms the way a browser does, and reading back what they show."""

from __future__ import annotations

import re
from html import unescape

from audit.models import AuditEntry
from tests import support

RUN_DEFAULTS = {
    "image": support.BASE_IMAGE,
    "command": "",
    "name": "",
    "mode": "create",
    "ports": "",
    "env": "",
    "volumes": "",
    "network": "none",
    "restart": "no",
    "restart_retries": "",
    "labels": support.RUN_LABEL,
    "workdir": "",
    "user": "",
    "hostname": "",
    "memory": "",
    "cpus": "",
    "entrypoint": "",
    "pull": "never",
}


def run_data(**fields) -> dict:
    """Run-form data: the base image, no network, create only, labelled for cleanup."""
    data = {**RUN_DEFAULTS, **fields}
    return {key: value for key, value in data.items() if value is not False}


def shown_command(html: str) -> str:
    """The text of the element with id docker-command."""
    match = re.search(r'id="docker-command"[^>]*>(.*?)</code>', html, re.S)
    assert match, "the page has no #docker-command"
    return unescape(match.group(1)).strip()


def preview(client, url: str, data: dict) -> str:
    """What the live preview shows for this form data (the htmx request the page makes)."""
    response = client.post(url, {**data, "_preview": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    return shown_command(response.content.decode())


def get_preview(client, url: str, controls: dict | None = None, **more) -> str:
    """What the live preview of GET controls (log and terminal tabs) answers, as HTML."""
    query = {**(controls or {}), **more, "_preview": "1"}
    response = client.get(url, query, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def field_errors(html: str) -> list[str]:
    return [
        unescape(text) for text in re.findall(r'<div class="field-error"[^>]*>(.*?)</div>', html)
    ]


def error_at(html: str, field: str) -> str:
    """The errors shown in the block of the form field `field`."""
    blocks = re.split(r'(?=<div class="field[ "])', html)
    found = [block for block in blocks if f'id="id_{field}"' in block]
    assert len(found) == 1, f"no single block for {field}"
    return " ".join(field_errors(found[0]))


def last_entry(action: str | None = None) -> AuditEntry:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-id").first()


def assert_audited(action: str, command: str, target_name: str, user: str = "admin") -> AuditEntry:
    """The last `action` entry succeeded, for this target, by this user, with this command."""
    entry = last_entry(action)
    assert entry is not None, f"no {action} entry"
    assert (entry.outcome, entry.error) == ("succeeded", "")
    assert (entry.command, entry.target_name, entry.username) == (command, target_name, user)
    assert entry.finished_at >= entry.started_at and entry.duration is not None
    return entry
