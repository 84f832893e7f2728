from __future__ import annotations

from django.urls import path

from shuping.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.index, name="index"),
]
