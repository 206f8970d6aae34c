"""Sign-in throttling, per username and per source address.

The first failures in a row are free (DOCKSIDE_SIGNIN_FREE_FAILURES, 5). After
them each next try waits, 2 s then doubling; at DOCKSIDE_SIGNIN_LOCKOUT_FAILURES
(10) sign-in is locked for DOCKSIDE_SIGNIN_LOCKOUT_MINUTES (15) for that name or
address, unless an admin lifts it on /access/users/. A try while waiting is
refused without the password being checked. A success clears its username's
count; an address's count clears a lockout's length after its last failure.
Names that do not exist count like those that do, so the answers say nothing of
which exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import SignInFailures

USER = "user:"
ADDRESS = "address:"


def keys_of(username: str, address: str | None) -> list[str]:
    keys = [f"{USER}{username.strip().lower()[:150]}"]
    return [*keys, f"{ADDRESS}{address}"] if address else keys


def _lockout() -> timedelta:
    return timedelta(minutes=settings.DOCKSIDE_SIGNIN_LOCKOUT_MINUTES)


@dataclass(frozen=True)
class Wait:
    """Why a sign-in must wait, and until when."""

    until: datetime
    failures: int
    locked: bool
    key: str

    def message(self) -> str:
        seconds = max(1, math.ceil((self.until - timezone.now()).total_seconds()))
        who = "this username" if self.key.startswith(USER) else "this address"
        if self.locked:
            minutes = math.ceil(seconds / 60)
            return (
                f"Sign-in is locked for {who} after {self.failures} failed tries in a row."
                f" Try again in {minutes} minute{'s' if minutes != 1 else ''},"
                " or ask an admin to lift the lock."
            )
        return (
            f"{self.failures} failed sign-ins in a row for {who}: wait {seconds} second"
            f"{'s' if seconds != 1 else ''} before the next try."
        )


def waiting(username: str, address: str | None) -> Wait | None:
    """The longest wait on this name or address, if any is still running."""
    now = timezone.now()
    rows = SignInFailures.objects.filter(
        key__in=keys_of(username, address), locked_until__gt=now
    ).order_by("-locked_until")
    row = rows.first()
    if row is None:
        return None
    locked = row.failures >= settings.DOCKSIDE_SIGNIN_LOCKOUT_FAILURES
    return Wait(until=row.locked_until, failures=row.failures, locked=locked, key=row.key)


def delay_after(failures: int) -> timedelta | None:
    """How long the next try waits after this many failures in a row (None: no wait)."""
    free = settings.DOCKSIDE_SIGNIN_FREE_FAILURES
    if failures >= settings.DOCKSIDE_SIGNIN_LOCKOUT_FAILURES:
        return _lockout()
    if failures < free:
        return None
    return min(timedelta(seconds=2 ** (failures - free + 1)), _lockout())


def failed(username: str, address: str | None) -> Wait | None:
    """Count one failure against the name and the address; the wait it starts, if any."""
    now = timezone.now()
    longest = None
    with transaction.atomic():
        stale = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        SignInFailures.objects.filter(stale, last_failure__lt=now - timedelta(days=1)).delete()
        for key in keys_of(username, address):
            row, _ = SignInFailures.objects.select_for_update().get_or_create(
                key=key, defaults={"last_failure": now}
            )
            if row.failures and row.last_failure < now - _lockout():
                row.failures = 0  # an old run of failures is forgotten
            row.failures += 1
            row.last_failure = now
            delay = delay_after(row.failures)
            row.locked_until = now + delay if delay else None
            row.save()
            if row.locked_until and (longest is None or row.locked_until > longest.until):
                locked = row.failures >= settings.DOCKSIDE_SIGNIN_LOCKOUT_FAILURES
                longest = Wait(row.locked_until, row.failures, locked, key)
    return longest


def succeeded(username: str) -> None:
    SignInFailures.objects.filter(key__in=keys_of(username, None)).delete()
