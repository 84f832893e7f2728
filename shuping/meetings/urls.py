from __future__ import annotations

from django.urls import path

from shuping.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
]
