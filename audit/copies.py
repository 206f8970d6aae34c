"""The append-only copy of the audit log, written as each entry is sealed.

DOCKSIDE_AUDIT_COPY names where: a file path (JSON lines, appended, created 0600),
`syslog` (the host's /dev/log) or `syslog:/path/of/socket`. Kept outside the
database, or sent to another machine by syslog, it shows a log rewritten on the
host: `verify_audit --copy FILE` compares the two.
"""

from __future__ import annotations

import json
import logging
import os
import socket

from django.conf import settings

logger = logging.getLogger(__name__)

SYSLOG = "syslog"
SYSLOG_SOCKET = "/dev/log"
# <110>: facility 13 ("log audit") at severity 6 (informational), as RFC 5424 counts them.
SYSLOG_PRIORITY = "<110>"


def line_of(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def append(record: dict) -> None:
    """Add one sealed entry to the copy, if one is set. A failure is logged, not raised:
    the action it records has already happened."""
    target = settings.DOCKSIDE_AUDIT_COPY
    if not target:
        return
    line = line_of(record)
    try:
        if target == SYSLOG or target.startswith(f"{SYSLOG}:"):
            _to_syslog(target.partition(":")[2] or SYSLOG_SOCKET, line)
        else:
            _to_file(target, line)
    except OSError as exc:
        logger.error("audit entry %s was not copied to %s: %s", record.get("sequence"), target, exc)


def _to_file(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, f"{line}\n".encode())
    finally:
        os.close(fd)


def _to_syslog(address: str, line: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.connect(address)
        sender.send(f"{SYSLOG_PRIORITY}dockside-audit: {line}".encode())
