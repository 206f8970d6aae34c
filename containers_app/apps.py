from django.apps import AppConfig


class ContainersAppConfig(AppConfig):
    name = "containers_app"
    verbose_name = "Docker objects"
