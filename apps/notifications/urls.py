from django.conf import settings
from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.history, name="history"),
    path("notifications/dropdown/", views.dropdown, name="dropdown"),
    path("notifications/unread/", views.unread_state, name="unread"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/<int:pk>/snooze/", views.snooze, name="snooze"),
]

if getattr(settings, "BENCH_ENDPOINTS", False):  # bench/notify.py and the two-process test only
    from .bench import fanout

    urlpatterns += [path("bench/notify/", fanout, name="bench-fanout")]
