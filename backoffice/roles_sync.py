"""The roles' groups kept in line with the role table (backoffice/roles.py).

One function for the three callers: the migration that creates the groups (with the historical
models), the post_migrate handler that runs after every `migrate` (so a model added later gets
its role at once), and `manage.py roles_sync`. The table is the source of truth for the
permissions of our apps (OUR_APPS): one of them added to these groups by hand is taken away at
the next sync (make another group for a variant). Permissions of other apps (auth, axes,
pghistory...) are not the table's: the sync never adds nor removes them, so a group of the same
name that existed before (say a "Support" group holding auth.view_user) keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from backoffice.roles import OUR_APPS, ROLES, role_permissions


@dataclass(frozen=True)
class RoleSync:
    group: str
    created: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]
    held: int


def roles_sync(*, apps: Any, using: str = "default") -> list[RoleSync]:
    """Create the roles' groups when missing and set each one's permissions of our apps to the
    table's (those of other apps, given by hand, are left alone).

    `apps` is a registry: django.apps.apps, or a migration's historical one."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    rows = list(
        permission_model.objects.using(using)
        .filter(content_type__app_label__in=OUR_APPS)
        .values_list("pk", "content_type__app_label", "content_type__model", "codename")
    )
    by_key = {(app_label, codename): pk for pk, app_label, _model, codename in rows}
    available = [(app_label, model, codename) for _pk, app_label, model, codename in rows]
    results = []
    with transaction.atomic(using=using):
        for role in ROLES:
            wanted = {by_key[key]: key for key in role_permissions(role, available)}
            group, created = group_model.objects.using(using).get_or_create(name=role.name)
            current = {
                pk: (app_label, codename)
                for pk, app_label, codename in group.permissions.filter(
                    content_type__app_label__in=OUR_APPS
                ).values_list("pk", "content_type__app_label", "codename")
            }
            add = sorted(set(wanted) - set(current))
            remove = sorted(set(current) - set(wanted))
            if add:
                group.permissions.add(*add)
            if remove:
                group.permissions.remove(*remove)
            results.append(
                RoleSync(
                    group=role.name,
                    created=created,
                    added=tuple(sorted(".".join(wanted[pk]) for pk in add)),
                    removed=tuple(sorted(".".join(current[pk]) for pk in remove)),
                    held=len(wanted),
                )
            )
    return results


def roles_sync_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate (sent for the back office, after auth has created the permissions of every
    app before it in INSTALLED_APPS, ours all are)."""
    from django.apps import apps as registry

    if not registry.is_installed("django.contrib.auth"):
        return
    for result in roles_sync(apps=registry, using=using):
        if kwargs.get("verbosity", 1) >= 2 and (result.added or result.removed):
            print(f"  roles: {result.group}: +{len(result.added)} -{len(result.removed)}")
