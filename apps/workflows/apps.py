from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.workflows"
    label = "workflows"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (payments' signals -> the payment flows)
