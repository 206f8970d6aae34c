from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself: at start, the data directory and the files in it are made private."""

    name = "dashboard"
    verbose_name = "Dockside"

    def ready(self) -> None:
        from django.conf import settings

        from .private_files import make_private

        make_private(settings.DATA_DIR, settings.DATABASES["default"])
