from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from apps.core import versions

        from .models import Follow, Session

        versions.track(Session, versions.CATALOG, versions.LISTING)  # cards, seats, status
        versions.track(Follow, versions.CATALOG)  # follower counts on mentors' profiles
