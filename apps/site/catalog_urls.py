from django.urls import path

from . import catalog_views as views

app_name = "catalog"
urlpatterns = [
    path("sessions/", views.session_list, name="list"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("mentors/", views.mentor_list, name="mentors"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor"),
    path("dashboard/mentor/sessions/", views.mentor_sessions, name="mentor_sessions"),
    path("dashboard/mentor/sessions/new/", views.session_create, name="create"),
    path("dashboard/mentor/sessions/<int:pk>/edit/", views.session_edit, name="edit"),
    path("dashboard/mentor/sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
]
