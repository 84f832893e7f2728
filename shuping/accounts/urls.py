from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from shuping.accounts import views
from shuping.accounts.forms import ThrottledLoginForm

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=ThrottledLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
]
