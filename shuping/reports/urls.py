from __future__ import annotations

from django.urls import path

from shuping.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("round/<int:campaign_pk>/", views.overview, name="overview"),
    path("round/<int:campaign_pk>/summaries/", views.summaries, name="summaries"),
    path("reporter/<int:reporter_pk>/open/", views.open_report, name="open"),
    path("reporter/<int:reporter_pk>/materials/", views.materials, name="materials"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/write/", views.write, name="write"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/checks/", views.live_checks, name="checks"),
    path("<int:pk>/import/", views.import_docx, name="import"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/<str:action>/", views.review, name="review"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
    path("<int:pk>/export.docx", views.export_docx, name="export"),
    path("case/<int:pk>/", views.case, name="case"),
    path("case/<int:pk>/export.docx", views.case_export, name="case_export"),
    path("file/<int:pk>/", views.attachment, name="file"),
    path("file/<int:pk>/delete/", views.attachment_delete, name="file_delete"),
    path("meeting/<int:meeting_pk>/booklet/", views.booklet, name="booklet"),
]
