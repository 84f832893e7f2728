from __future__ import annotations

from django.urls import path

from shuping.rounds import preset_views, views

app_name = "rounds"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/reporters/add/", views.add_reporter, name="add_reporter"),
    path("<int:pk>/modes/", views.reassign, name="reassign"),
    path("<int:pk>/deadlines/<int:deadline_pk>/", views.deadline, name="deadline"),
    path("<int:pk>/sub-rounds/", views.sub_rounds, name="sub_rounds"),
    path("<int:pk>/filings/", views.file_plan, name="file_plan"),
    path("<int:pk>/plan.docx", views.plan_download, name="plan"),
    path("reporters/<int:pk>/", views.reporter, name="reporter"),
    path("filings/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("presets/", views.presets, name="presets"),
    path("presets/<str:key>/", views.preset_detail, name="preset_detail"),
    path("presets/<str:key>/copy/", views.preset_copy, name="preset_copy"),
    path("presets/<str:key>/export/", views.preset_export, name="preset_export"),
    path("presets/<str:key>/edit/", preset_views.preset_edit, name="preset_edit"),
    path("presets/<str:key>/advanced/", views.preset_edit, name="preset_advanced"),
    path("presets/<str:key>/preview/", preset_views.preset_preview, name="preset_preview"),
    path("reminders/", views.reminders, name="reminders"),
]
