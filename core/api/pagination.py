from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages over lists that grow while they are read: `?cursor=...&limit=...`."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500
