"""Signing in and out: portal session links, magic links, logout."""

from django.urls import path

from portal.views import auth

urlpatterns = [
    path("session/<str:token>/", auth.session_link, name="session_link"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
]
