from __future__ import annotations

from django.urls import path

from shuping.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.index, name="index"),
    path("reporter/<int:reporter_pk>/", views.ledger, name="ledger"),
    path("reporter/<int:reporter_pk>/export/<str:fmt>", views.ledger_export, name="ledger_export"),
    path("item/<int:pk>/", views.item_detail, name="item"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("round/<int:campaign_pk>/", views.round_items, name="round"),
    path("round/<int:campaign_pk>/export/<str:fmt>", views.round_export, name="round_export"),
    path("overview/", views.oversight, name="overview"),
    path("import/", views.import_ledger, name="import"),
    path("import/errors.xlsx", views.import_errors_xlsx, name="import_errors"),
]
