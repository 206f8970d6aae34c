"""Sign-in throttling, per username and per source address.

The first failures in a row are free (DOCKSIDE_SIGNIN_FREE_FAILURES, 5). After
them each next try waits, 2 s then doubling; at DOCKSIDE_SIGNIN_LOCKOUT_FAILURES
(10) sign-in is locked for DOCKSIDE_SIGNIN_LOCKOUT_MINUTES (15) for that name or
address, unless an admin lifts it (/access/users/, `manage.py unlock`). A try
while waiting is refused without the password being checked. Each try is counted
before the password is checked, under a lock, so tries sent at once cannot all
slip through; a success takes its own count back and clears its username's.
Names are counted as Django compares them (NFKC) and without case; IPv6
addresses by their /64, which one machine usually holds whole. Names that do
not exist count like those that do, so the answers say nothing of which exist.
"""

from __future__ import annotations

import ipaddress
import math
import unicodedata
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
    name = unicodedata.normalize("NFKC", username).replace("\x00", "").strip().casefold()
    keys = [f"{USER}{name[:150]}"]
    return [*keys, f"{ADDRESS}{address_key(address)}"] if address else keys


def address_key(address: str) -> str:
    """An IPv4 address whole; an IPv6 address by its /64."""
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


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


def delay_after(failures: int) -> timedelta | None:
    """How long the next try waits after this many failures in a row (None: no wait)."""
    free = settings.DOCKSIDE_SIGNIN_FREE_FAILURES
    if failures >= settings.DOCKSIDE_SIGNIN_LOCKOUT_FAILURES:
        return _lockout()
    if failures < free:
        return None
    return min(timedelta(seconds=2 ** (failures - free + 1)), _lockout())


def attempt(username: str, address: str | None) -> Wait | None:
    """A try at signing in: refused with the running wait, or counted (as if it fails)."""
    now = timezone.now()
    with transaction.atomic():
        stale = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        SignInFailures.objects.filter(stale, last_failure__lt=now - timedelta(days=1)).delete()
        rows = [_locked_row(key, now) for key in keys_of(username, address)]
        running = [row for row in rows if row.locked_until and row.locked_until > now]
        if running:
            return _wait_of(max(running, key=lambda row: row.locked_until))
        for row in rows:
            if row.failures and row.last_failure < now - _lockout():
                row.failures = 0  # an old run of failures is forgotten
            _count(row, row.failures + 1, now)
    return None


def _locked_row(key: str, now) -> SignInFailures:
    return SignInFailures.objects.select_for_update().get_or_create(
        key=key, defaults={"last_failure": now}
    )[0]


def _count(row: SignInFailures, failures: int, now) -> None:
    row.failures, row.last_failure = failures, now
    delay = delay_after(failures)
    row.locked_until = now + delay if delay else None
    row.save()


def _wait_of(row: SignInFailures) -> Wait:
    locked = row.failures >= settings.DOCKSIDE_SIGNIN_LOCKOUT_FAILURES
    return Wait(until=row.locked_until, failures=row.failures, locked=locked, key=row.key)


def waiting(username: str, address: str | None) -> Wait | None:
    """The longest wait on this name or address, if one is running."""
    now = timezone.now()
    rows = SignInFailures.objects.filter(
        key__in=keys_of(username, address), locked_until__gt=now
    ).order_by("-locked_until", "-key")  # the name's first ("user:" > "address:")
    row = rows.first()
    return _wait_of(row) if row is not None else None


def succeeded(username: str, address: str | None) -> None:
    """The try was right: the name's count goes, the address's try is taken back."""
    user_key, *address_keys = keys_of(username, address)
    now = timezone.now()
    with transaction.atomic():
        SignInFailures.objects.filter(key=user_key).delete()
        for row in SignInFailures.objects.select_for_update().filter(key__in=address_keys):
            _count(row, max(row.failures - 1, 0), now)
