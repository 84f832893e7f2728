from __future__ import annotations

from django.urls import path

from shuping.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
]
