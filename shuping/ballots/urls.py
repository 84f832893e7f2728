from __future__ import annotations

from django.urls import path

from shuping.ballots import views

app_name = "ballots"

# Kept short: the phone page URL `/b/<token>` is printed as a QR code. It comes first,
# being the busiest; a token has no slash, so it cannot shadow the patterns below, and
# no other pattern here may be a single segment. ballots/middleware.py knows these paths.
urlpatterns = [
    path("<str:token>", views.vote, name="vote"),
    path("", views.index, name="index"),
    path("m/<int:meeting_id>/", views.meeting_ballots, name="meeting"),
    path("ballot/<int:pk>/", views.detail, name="detail"),
    path("ballot/<int:pk>/open", views.open_view, name="open"),
    path("ballot/<int:pk>/close", views.close_view, name="close"),
    path("ballot/<int:pk>/issue", views.issue_view, name="issue"),
    path("ballot/<int:pk>/paper-count", views.paper_count_view, name="paper_count"),
    path("ballot/<int:pk>/paper/", views.paper_entry, name="paper"),
    path("ballot/<int:pk>/form.docx", views.paper_form_view, name="paper_form"),
    path("ballot/<int:pk>/results.<str:fmt>", views.export_view, name="export"),
    path("p/<str:key>", views.projector, name="projector"),
    path("p/<str:key>/turnout", views.projector_turnout, name="turnout"),
]
