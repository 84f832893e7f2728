from __future__ import annotations

from django.urls import path

from shuping.filing import views

app_name = "filing"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/entries/<int:entry_pk>/", views.entry, name="entry"),
    path("<int:pk>/entries/<int:entry_pk>/file", views.entry_file, name="entry_file"),
    path("<int:pk>/package/", views.package, name="package"),
    path("<int:pk>/packages/<int:package_pk>.zip", views.package_download, name="download"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/summary.docx", views.summary_download, name="summary_docx"),
    path("<int:pk>/<str:action>/", views.answer, name="answer"),
]
