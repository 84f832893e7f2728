from __future__ import annotations

from django.urls import path

from shuping.results import views

app_name = "results"

urlpatterns = [
    path("", views.index, name="index"),
    path("round/<int:pk>/", views.campaign, name="campaign"),
    path("round/<int:pk>/eligibility/", views.eligibility, name="eligibility"),
    path("round/<int:pk>/letters.docx", views.letters, name="letters"),
    path("round/<int:pk>/announcement/", views.announcement, name="announcement"),
    path("round/<int:pk>/notice/", views.notice, name="notice"),
    path("record/<int:pk>/letter.docx", views.letter, name="letter"),
    path("record/<int:pk>/flags/", views.flags, name="flags"),
    path("task/<int:pk>/", views.task, name="task"),
    path("task/<int:pk>/scan/", views.task_scan, name="task_scan"),
    path("objection/<int:pk>/decide/", views.decide_objection, name="decide_objection"),
    path("calendar/", views.calendar, name="calendar"),
    path("gongshi/<str:code>/", views.public_notice, name="public_notice"),
]
