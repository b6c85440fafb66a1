"""testclocks API routes."""

from django.urls import path

from integrations.api import testclocks_views as views

urlpatterns = [
    path("test-clocks/", views.TestClockCollectionView.as_view(), name="test-clocks"),
    path("test-clocks/<int:pk>/", views.TestClockDetailView.as_view(), name="test-clock"),
    path(
        "test-clocks/<int:pk>/advance/",
        views.TestClockAdvanceView.as_view(),
        name="test-clock-advance",
    ),
]
