from __future__ import annotations

from django.urls import path

from shuping.member_review import views

app_name = "member_review"

# `/mr/l/<token>` is printed as a QR code on the member's slip: kept short.
urlpatterns = [
    path("", views.index, name="index"),
    path("round/<int:pk>/", views.round_overview, name="round"),
    path("round/<int:pk>/summary.xlsx", views.round_export, name="round_xlsx"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/advance", views.advance_view, name="advance"),
    path("<int:pk>/proposals", views.proposals_view, name="proposals"),
    path("<int:pk>/links", views.links_view, name="links"),
    path("<int:pk>/objections", views.objection_view, name="objections"),
    path("e/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("pub/<str:key>", views.public, name="public"),
    path("l/<str:token>", views.personal, name="personal"),
]
