"""The back office in the admin: each part registers itself from its own module. The order
matters: the customer page registers the customer admin before bulk actions add to it."""

from backoffice import admin_customer  # noqa: F401, I001 (registered on import)
from backoffice import admin_bulk  # noqa: F401
from backoffice import admin_dashboard  # noqa: F401
from backoffice import admin_exports  # noqa: F401
from backoffice import admin_jobs  # noqa: F401
from backoffice import admin_roles  # noqa: F401
