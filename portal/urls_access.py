"""Signing in and out: portal session links, the sign-in page, e-mailed links, logout."""

from django.urls import path

from portal.views import auth

urlpatterns = [
    path("session/<str:token>/", auth.session_link, name="session_link"),
    path("login/", auth.login, name="login"),
    path("login/<str:token>/", auth.login_link, name="login_link"),
    path("logout/", auth.logout, name="logout"),
]
