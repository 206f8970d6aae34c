"""`python manage.py restore FILE`: the database as the backup holds it, then its audit
chain checked (`verify_audit`)."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dashboard.backups import BackupFailed, restore


class Command(BaseCommand):
    help = "Replace Dockside's database with a backup (stop Dockside first), then verify_audit."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            restore(file)
        except (BackupFailed, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored from {file}")
        call_command("migrate", "--noinput", verbosity=0)  # a backup from an older release
        call_command("verify_audit", stdout=self.stdout, stderr=self.stderr)
