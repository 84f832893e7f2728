from __future__ import annotations

from django.urls import path

from shuping.ballots import views

app_name = "ballots"

urlpatterns = [
    path("", views.index, name="index"),
]
