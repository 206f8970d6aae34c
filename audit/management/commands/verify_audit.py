"""`python manage.py verify_audit [--copy FILE]`: check the audit log's hash chain.

Exits 0 when every sealed entry is present, unchanged and linked; otherwise 1,
naming the first broken or missing entry. With --copy, the append-only copy
(DOCKSIDE_AUDIT_COPY) is compared with the database too.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit 1 naming the first broken or missing entry."

    def add_arguments(self, parser):
        parser.add_argument(
            "--copy",
            type=Path,
            help="an append-only copy (JSON lines) to compare with the database",
        )

    def handle(self, *args, copy: Path | None = None, **options):
        if copy is not None and not copy.is_file():
            raise CommandError(f"{copy} is not a file")
        result = verify(copy)
        if not result.ok:
            raise CommandError(f"audit log broken: {result.problem}", returncode=1)
        self.stdout.write(f"audit log intact: {result.entries} entries checked")
