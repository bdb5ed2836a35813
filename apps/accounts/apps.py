from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from apps.core import versions

        from .models import MentorProfile, Role, User

        # Mentors' names and photos are on the cards; learners and admins are on no public page.
        versions.track(
            User,
            versions.CATALOG,
            versions.LISTING,
            quiet={"last_login"},
            shown=lambda user: user.role == Role.MENTOR,
        )
        versions.track(MentorProfile, versions.CATALOG, versions.LISTING)  # headline, featured, approval
