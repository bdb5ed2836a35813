from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("register/", views.role_choice, name="register"),
    path("register/check-email/", views.check_email, name="check_email"),
    path("register/<str:role>/", views.register_wizard, name="register_wizard"),
    path("register/<str:role>/file/<str:filename>", views.wizard_file, name="wizard_file"),
    path("profile/", views.profile, name="profile"),
    path("profile/settings/", views.profile_settings, name="profile_settings"),
]
