from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from apps.core import versions

        from .models import MentorProfile, User

        versions.track(User, versions.CATALOG, versions.LISTING)  # names and photos on the cards
        versions.track(MentorProfile, versions.CATALOG, versions.LISTING)  # headline, featured, approval
