from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "apps.progress"
    label = "progress"

    def ready(self) -> None:
        from apps.core import versions

        from .models import Feedback

        versions.track(Feedback, versions.CATALOG, versions.LISTING)  # mentors' ratings on the cards
