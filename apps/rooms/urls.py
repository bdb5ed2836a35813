from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "rooms"
urlpatterns: list[URLPattern | URLResolver] = [
    path("session/<uuid:room_code>/", views.room, name="room"),
    path("session/<uuid:room_code>/ice/", views.ice_servers, name="ice"),
    path("session/<uuid:room_code>/end/", views.end, name="end"),
    path("session/<uuid:room_code>/snapshot/", views.snapshot, name="snapshot"),
    path("session/<uuid:room_code>/summary/", views.summary, name="summary"),
    path("session/<uuid:room_code>/whiteboard.png", views.whiteboard, name="whiteboard"),
    path("session/<uuid:room_code>/recordings/<int:rid>/upload/", views.recording_upload, name="recording_upload"),
    path(
        "session/<uuid:room_code>/recordings/<int:rid>/complete/", views.recording_complete, name="recording_complete"
    ),
    path("session/<uuid:room_code>/recordings/<int:rid>.webm", views.recording_file, name="recording_file"),
    path("session/<uuid:room_code>/recordings/<int:rid>/delete/", views.recording_delete, name="recording_delete"),
]
