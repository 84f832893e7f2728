from __future__ import annotations

from django.urls import path

from shuping.audit import views as audit_views
from shuping.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.node, name="node"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/new/", views.organization_create, name="create"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/move/", views.organization_move, name="move"),
    path("<int:pk>/secretary/", views.secretary, name="secretary"),
    path("<int:pk>/people/new/", views.person_create, name="person_create"),
    path("<int:pk>/export.xlsx", views.roster_export, name="export"),
    path("person/<int:pk>/", views.person, name="person"),
    path("person/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("person/<int:pk>/transfer/", views.person_transfer, name="person_transfer"),
    path("import/", views.roster_import, name="import"),
    path("import/template.xlsx", views.roster_template, name="template"),
    path("import/errors.xlsx", views.roster_errors, name="import_errors"),
    path("audit/", audit_views.log, name="audit"),
]
