from __future__ import annotations

from django.urls import path

from shuping.rounds import views

app_name = "rounds"

urlpatterns = [
    path("", views.index, name="index"),
]
