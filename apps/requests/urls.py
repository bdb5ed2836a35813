from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "requests"
urlpatterns: list[URLPattern | URLResolver] = [
    path("posts/", views.posts, name="posts"),
    path("posts/list/", views.posts_partial, name="posts_partial"),
    path("posts/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("offers/<int:pk>/accept/", views.accept_offer, name="accept_offer"),
    path("offers/<int:pk>/decline/", views.decline_offer, name="decline_offer"),
    path("mentors/<int:mentor_id>/request/", views.direct_request, name="direct"),
    path("dashboard/mentor/requests/", views.mentor_requests, name="mentor"),
    path("dashboard/mentor/requests/list/", views.mentor_requests_partial, name="mentor_partial"),
    path("dashboard/mentor/requests/badge/", views.mentor_badge, name="mentor_badge"),
    path("dashboard/mentor/requests/<int:pk>/respond/", views.respond, name="respond"),
]
