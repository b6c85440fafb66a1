from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        from backoffice.roles_sync import roles_sync_after_migrate

        # the roles' groups follow the role table after every migrate (backoffice/roles.py)
        post_migrate.connect(
            roles_sync_after_migrate, sender=self, dispatch_uid="backoffice_roles_sync"
        )
