from __future__ import annotations

from django.urls import path

from shuping.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("round/<int:campaign_pk>/", views.board, name="board"),
    path("round/<int:campaign_pk>/propose/", views.propose, name="propose"),
    path("round/<int:campaign_pk>/approve/", views.approve, name="approve"),
    path("round/<int:campaign_pk>/inputs.xlsx", views.import_inputs, name="import"),
    path(
        "round/<int:campaign_pk>/inputs-errors.xlsx",
        views.import_errors_xlsx,
        name="import_errors",
    ),
    path("round/<int:campaign_pk>/summary.docx", views.export_docx, name="export_docx"),
    path("round/<int:campaign_pk>/summary.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/", views.detail, name="detail"),
]
