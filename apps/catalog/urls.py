from django.urls import path

from . import views

app_name = "follows"
urlpatterns = [
    path("mentors/<int:mentor_id>/follow/", views.toggle_follow, {"action": "follow"}, name="follow"),
    path("mentors/<int:mentor_id>/unfollow/", views.toggle_follow, {"action": "unfollow"}, name="unfollow"),
    path("dashboard/learner/following/", views.following, name="following"),
]
