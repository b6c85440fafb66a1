"""The integrations admin: each part registers its ModelAdmins in its own module."""

from integrations import admin_limits, admin_testclocks, admin_webhooks  # noqa: F401
