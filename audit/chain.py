"""The hash chain over audit entries: what is hashed, and how.

An entry's hash is SHA-256 over its canonical fields (JSON, keys sorted, times in
UTC, the duration in microseconds) and the previous entry's hash, which is one of
those fields. The user's id is left out: deleting an account empties it, and the
username stays. Editing any hashed field of a row, or deleting a row, breaks the
chain from there; `verify_audit` (verify.py) finds where.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

GENESIS = "0" * 64  # what the first entry links to

FIELDS = (
    "id",
    "sequence",
    "previous_hash",
    "started_at",
    "finished_at",
    "duration",
    "username",
    "source_ip",
    "action",
    "target_kind",
    "target_id",
    "target_name",
    "parameters",
    "command",
    "outcome",
    "error",
    "request_id",
    "endpoint",
)
# Hashed only when set: entries sealed before the field existed keep their hashes.
OPTIONAL = {"request_id", "endpoint"}


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    return value


def _fields(stored: dict) -> dict:
    return {
        name: _plain(stored[name])
        for name in FIELDS
        if not (name in OPTIONAL and not stored.get(name))
    }


def canonical(stored: dict) -> bytes:
    """The bytes hashed for one entry, from its row as `values(*FIELDS)` reads it."""
    plain = _fields(stored)
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(stored: dict) -> str:
    return hashlib.sha256(canonical(stored)).hexdigest()


def record(stored: dict, entry_hash: str) -> dict:
    """One entry as the append-only copy holds it: its fields and its hash."""
    plain = _fields(stored)
    plain["hash"] = entry_hash
    return plain
