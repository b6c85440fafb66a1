from django.urls import path

from portal.api import access_views as views

urlpatterns = [
    path("portal-sessions/", views.PortalSessionCollection.as_view(), name="portal-session-list"),
    path("portal-sessions/<int:pk>/", views.PortalSessionDetail.as_view()),
    path("portal-sessions/<int:pk>/end/", views.PortalSessionEnd.as_view()),
    path("portal-users/", views.PortalUserCollection.as_view(), name="portal-user-list"),
    path("portal-users/<int:pk>/", views.PortalUserDetail.as_view()),
    path("portal-users/<int:pk>/disable/", views.PortalUserDisable.as_view()),
    path("portal-users/<int:pk>/invite-again/", views.PortalUserInviteAgain.as_view()),
]
