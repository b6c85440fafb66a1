"""The back office in the admin: each part registers itself from its own module."""

from backoffice import (  # noqa: F401 (registered on import)
    admin_bulk,
    admin_customer,
    admin_dashboard,
    admin_exports,
    admin_jobs,
    admin_roles,
)
