"""Checking the chain: every sealed entry present, unchanged, and linked to the one before.

Used by `manage.py verify_audit` and the admins' button on /audit/; each check is
kept (models.Verification) so /audit/ can warn when the last one failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import chain
from .models import AuditEntry, ChainHead, Verification


@dataclass(frozen=True)
class Result:
    entries: int  # sealed entries read
    problem: str  # the first thing found wrong; "" when the chain holds

    @property
    def ok(self) -> bool:
        return not self.problem


def _name(stored: dict) -> str:
    return f"entry #{stored['sequence']} (id {stored['id']}, {stored['action']})"


def check_chain() -> Result:
    """Walk the chain in order; stop at the first missing, edited or unlinked entry."""
    previous, expected, count = chain.GENESIS, 1, 0
    sealed = AuditEntry.objects.exclude(sequence=None).order_by("sequence")
    for stored in sealed.values(*chain.FIELDS, "hash").iterator(chunk_size=2000):
        count += 1
        if stored["sequence"] != expected:
            missing = (
                f"#{expected}"
                if stored["sequence"] == expected + 1
                else (f"#{expected} to #{stored['sequence'] - 1}")
            )
            return Result(count, f"entry {missing} is missing: deleted from the database")
        if stored["previous_hash"] != previous:
            return Result(count, f"{_name(stored)} does not link to the entry before it")
        if chain.digest(stored) != stored["hash"]:
            return Result(count, f"{_name(stored)} was changed after it was written")
        previous, expected = stored["hash"], expected + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.sequence >= expected:
        last = f"#{expected}" if head.sequence == expected else f"#{expected} to #{head.sequence}"
        return Result(count, f"entry {last} is missing: the last entries were deleted")
    if head is not None and head.sequence and head.hash != previous:
        return Result(count, "the chain's head does not match its last entry")
    return Result(count, "")


def check_copy(path: Path) -> Result:
    """Compare the append-only copy with the database, entry by entry: a row the copy
    has that the database lacks or holds differently was deleted or rewritten."""
    stored_hashes = dict(AuditEntry.objects.exclude(sequence=None).values_list("sequence", "hash"))
    count = 0
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                copied = json.loads(line)
                sequence, copied_hash = copied["sequence"], copied["hash"]
            except (ValueError, KeyError, TypeError):
                return Result(count, f"line {number} of {path} is not an audit entry")
            count += 1
            if sequence not in stored_hashes:
                return Result(count, f"entry #{sequence} is in the copy but not in the database")
            if stored_hashes[sequence] != copied_hash:
                return Result(
                    count, f"entry #{sequence} differs from the copy: the database was rewritten"
                )
    return Result(count, "")


def verify(copy: Path | None = None) -> Result:
    """Check the chain (and the copy, if given) and keep the result."""
    result = check_chain()
    if result.ok and copy is not None:
        compared = check_copy(copy)
        result = Result(result.entries, compared.problem)
    Verification.objects.create(ok=result.ok, entries=result.entries, problem=result.problem)
    return result
