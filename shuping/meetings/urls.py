from __future__ import annotations

from django.urls import path

from shuping.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("round/<int:campaign_pk>/", views.campaign_meetings, name="campaign"),
    path("<int:pk>/", views.setup, name="setup"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/attendance.json", views.attendance_json, name="attendance_json"),
    path("<int:pk>/qr/", views.signin_qr, name="signin_qr"),
    path("<int:pk>/host/", views.host, name="host"),
    path("<int:pk>/projector/", views.projector_console, name="projector_console"),
    path("<int:pk>/state.json", views.state_json, name="state_json"),
    path("<int:pk>/entry/<int:entry_pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/record.docx", views.record_docx, name="record"),
    # Without login, keyed by unguessable keys.
    path("p/<str:key>/", views.projector, name="projector"),
    path("p/<str:key>/state.json", views.projector_state, name="projector_state"),
    path("s/<str:key>/", views.signin, name="signin"),
]
