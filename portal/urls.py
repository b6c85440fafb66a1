"""The portal's pages, under /portal/ (namespace `portal`). Each part keeps its own list."""

from portal.urls_access import urlpatterns as access
from portal.urls_actions import urlpatterns as actions
from portal.urls_configuration import urlpatterns as configuration
from portal.urls_pages import urlpatterns as pages

app_name = "portal"
urlpatterns = [*access, *pages, *actions, *configuration]
