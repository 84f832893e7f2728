from __future__ import annotations

from django.urls import path

from shuping.inspections import views

app_name = "inspections"

urlpatterns = [
    path("round/<int:campaign_pk>/", views.campaign_inspections, name="campaign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
