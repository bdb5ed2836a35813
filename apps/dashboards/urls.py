from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.dashboard_home, name="home"),
    path("dashboard/learner/", views.learner_home, name="learner"),
    path("dashboard/mentor/", views.mentor_home, name="mentor"),
    path("dashboard/admin/", views.admin_home, name="admin"),
]
