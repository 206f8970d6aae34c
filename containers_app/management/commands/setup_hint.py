"""Tell the person starting Dockside how to create the first admin, while none exists."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print how to create the first admin account if there is none yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="Where Dockside listens."
        )

    def handle(self, *args, url, **options):
        if get_user_model().objects.exists():
            return
        self.stdout.write(
            self.style.WARNING(
                "No account exists yet. Create the first admin either:\n"
                f"  - in a browser on this machine: {url.rstrip('/')}/setup/\n"
                "  - or in a shell: .venv/bin/python manage.py createsuperuser"
            )
        )
