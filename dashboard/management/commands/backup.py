"""`python manage.py backup FILE`: a consistent copy of the database (see dashboard/backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.backups import BackupFailed, back_up


class Command(BaseCommand):
    help = "Write a backup of Dockside's database (SQLite or PostgreSQL) to FILE, mode 0600."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            back_up(file)
        except (BackupFailed, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backed up to {file} ({file.stat().st_size} bytes)")
