from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "progress"
urlpatterns: list[URLPattern | URLResolver] = [
    path("feedback/<int:booking_id>/", views.feedback, name="feedback"),
]
