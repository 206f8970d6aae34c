from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself: at start, the data directory and the files in it are made private."""

    name = "dashboard"
    verbose_name = "Dockside"

    def ready(self) -> None:
        from pathlib import Path

        from django.conf import settings

        from .private_files import private_directory, private_file, private_sqlite

        private_directory(settings.DATA_DIR)
        private_file(settings.DATA_DIR / "secret_key")
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            private_sqlite(Path(database["NAME"]))
