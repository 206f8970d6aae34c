from django.apps import AppConfig


class ContainersAppConfig(AppConfig):
    name = "containers_app"
    verbose_name = "Dockside"

    def ready(self) -> None:
        from . import account_events

        account_events.connect()
