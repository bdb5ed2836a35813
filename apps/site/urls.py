from django.urls import path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("help/", views.help_centre, name="help"),
    path("theme/", views.set_theme, name="theme"),
]
