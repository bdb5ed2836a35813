from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    label = "dashboards"

    def ready(self) -> None:
        from . import live

        live.connect()
