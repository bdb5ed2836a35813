from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "progress"
urlpatterns: list[URLPattern | URLResolver] = [
    path("feedback/<int:booking_id>/", views.feedback, name="feedback"),
    path("reviews/<int:feedback_id>/reply/", views.reply, name="reply"),
]
