"""`python manage.py unlock NAME_OR_ADDRESS`: lift a sign-in lockout from the host, for
when the one locked out is the only admin. Audited as the admins' button is."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from access.accounts import lift_lockout
from access.models import SignInFailures
from access.throttle import ADDRESS, address_key, keys_of


class Command(BaseCommand):
    help = "Lift the sign-in lockout of a username or a source address."

    def add_arguments(self, parser) -> None:
        parser.add_argument("who", help="a username, or an IP address")

    def handle(self, *args, who: str, **options) -> None:
        try:
            keys = [f"{ADDRESS}{address_key(who)}"]
        except ValueError:
            keys = keys_of(who, None)
        found = [key for key in keys if SignInFailures.objects.filter(key=key).exists()]
        if not found:
            raise CommandError(f"no failed sign-ins are counted for {who}")
        for key in found:
            lift_lockout(None, key)
        self.stdout.write(f"Sign-in is open again for {who}.")
