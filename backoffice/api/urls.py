"""The back office's REST routes: jobs, exports, customer notes, the dashboard's figures."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backoffice.api import dashboard, exports, jobs, notes

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("exports/", exports.ExportCollection.as_view(), name="export-list"),
    path("exports/<int:pk>/", exports.ExportDetail.as_view()),
    path("exports/<int:pk>/download/", exports.ExportDownload.as_view()),
    path("gl-account-codes/", exports.GlCodeCollection.as_view(), name="gl-account-code-list"),
    path("gl-account-codes/<int:pk>/", exports.GlCodeDetail.as_view()),
    path("jobs/", jobs.JobCollection.as_view(), name="job-list"),
    path("jobs/<int:pk>/", jobs.JobDetail.as_view()),
    path(
        "customers/<int:customer_id>/notes/",
        notes.CustomerNoteCollection.as_view(),
        name="customer-note-list",
    ),
    path("customers/<int:customer_id>/notes/<int:pk>/", notes.CustomerNoteDetail.as_view()),
]
