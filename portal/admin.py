"""The portal in the admin: each part's screens in a module of its own."""

from portal import admin_access, admin_configuration  # noqa: F401
