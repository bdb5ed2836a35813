from django.apps import AppConfig


class PaymentsSandboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.payments_sandbox"
    label = "payments_sandbox"
    verbose_name = "Sandbox payment gateway"
