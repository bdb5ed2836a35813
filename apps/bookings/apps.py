from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "apps.bookings"
    label = "bookings"

    def ready(self) -> None:
        from apps.core import versions

        from .models import Booking

        versions.track(Booking, versions.SEATS)  # seats left on the cards
