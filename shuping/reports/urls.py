from __future__ import annotations

from django.urls import path

from shuping.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
]
