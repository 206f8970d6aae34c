"""`manage.py createuser NAME --role viewer|operator|admin`: an account, without a prompt
when DOCKSIDE_PASSWORD holds its password (asked for twice otherwise)."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from access.accounts import AccountError, create_account
from access.models import Role


class Command(BaseCommand):
    help = "Create a Dockside account with a role; the password comes from DOCKSIDE_PASSWORD."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=list(Role.values), default=Role.VIEWER)

    def handle(self, *args, username: str, role: str, **options) -> None:
        password = os.environ.get("DOCKSIDE_PASSWORD") or self.ask()
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        try:
            create_account(None, username, password, role)
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created {username} ({role}).")

    def ask(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return password
