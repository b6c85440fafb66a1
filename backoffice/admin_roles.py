"""The roles in the admin: the groups' pages (auth's GroupAdmin) with the role table above their
list, and a read-only "Roles" page every staff member may open (linked from the user links at
the top of every admin page): each role, what it can and cannot do, the permissions it holds
and who is in it, and the visitor's own roles."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from backoffice.roles import ROLES, role_permissions


def roles_table() -> list[dict[str, Any]]:
    """Each role with its group's members and the permissions the table gives it, by app."""
    available = list(
        Permission.objects.values_list("content_type__app_label", "content_type__model", "codename")
    )
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.name for r in ROLES])}
    members: dict[str, list[str]] = {}
    for name, username in Group.objects.filter(name__in=groups).values_list(
        "name", "user__username"
    ):
        if username:
            members.setdefault(name, []).append(username)
    rows = []
    for role in ROLES:
        by_app: dict[str, list[str]] = {}
        for app_label, codename in sorted(role_permissions(role, available)):
            by_app.setdefault(app_label, []).append(codename)
        group = groups.get(role.name)
        rows.append(
            {
                "role": role,
                "group": group,
                "members": sorted(members.get(role.name, [])),
                "permissions": sorted(by_app.items()),
                "count": sum(len(v) for v in by_app.values()),
            }
        )
    return rows


class RolesGroupAdmin(GroupAdmin):
    """Auth's group admin (superusers manage groups), with the role table on its list."""

    change_list_template = "backoffice/roles_group_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        own = [path("roles/", self.admin_site.admin_view(self.roles_view), name="auth_group_roles")]
        return own + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"roles": roles_table(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def roles_view(self, request: HttpRequest) -> HttpResponse:
        """Read only, for every active staff member (admin_view checks it)."""
        mine = set(request.user.groups.values_list("name", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "title": "Roles",
            "subtitle": None,
            "roles": roles_table(),
            "mine": sorted(mine & {role.name for role in ROLES}),
            "opts": self.model._meta,
            "is_superuser": request.user.is_superuser,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/roles.html", context)


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, RolesGroupAdmin)
