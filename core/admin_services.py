"""Admin pages whose writes go through services.

Django's admin saves a ModelForm with `obj.save()` inside a transaction it opens around the whole
view. Our services own their writes: each opens its own durable transaction, checks the rules and
writes the audit history and the journal events. `ServiceModelAdmin` therefore replaces the add
and change views by explicit ones: validate the form (and the inline formsets), call the service
the admin names (`service_create` / `service_update`), and show a refusal of the service as an
error on the field it names, with everything typed kept. Nothing else in the admin writes: there
is no `save_model`, no bulk delete and no `list_editable` on these pages.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Model
from django.forms.formsets import all_valid
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.admin_widgets import safe_autocomplete
from core.audit import Actor
from core.exceptions import ApplicationError


class PlainDecimalInput(forms.NumberInput):
    """A decimal as typed: 49, not the column's 49.000000000000 (the value is unchanged)."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
            return "0" if text in ("-0", "") else text
        return super().format_value(value)  # type: ignore[no-any-return]


def actor_of(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def add_service_error(form: forms.BaseForm, exc: ApplicationError | ValidationError) -> None:
    """A service's refusal on the form: on the field it names when the form has it, else on
    the form as a whole, naming the field. A model's own validation (a Django ValidationError
    raised by `full_clean` inside the service) is placed the same way, field by field."""
    if isinstance(exc, ValidationError):
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                form.add_error(None, message)
            return
        for field, errors in exc.message_dict.items():
            for message in errors:
                _place(form, field, message)
        return
    _place(form, exc.field or "", exc.message)


def _place(form: forms.BaseForm, field: str, message: str) -> None:
    if field in form.fields and field not in form.errors:
        form.add_error(field, message)
    elif field in form.fields:
        form.errors[field].append(message)
    elif field and field != NON_FIELD_ERRORS:
        form.add_error(None, f"{field}: {message}")
    else:
        form.add_error(None, message)


class ServiceModelAdmin(admin.ModelAdmin[Any]):
    """Add and change pages that call services (see the module's docstring)."""

    formfield_overrides = {
        models.DecimalField: {"widget": PlainDecimalInput(attrs={"step": "any"})}
    }

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        """The form, its autocomplete pickers refusing a value that is not an id as a form
        error rather than a 500 (core.admin_widgets.SafeAutocompleteMixin)."""
        return safe_autocomplete(super().get_form(request, obj, change=change, **kwargs))

    def get_formsets_with_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        """The inlines' formsets, their autocomplete pickers made safe as the form's are."""
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            safe_autocomplete(formset.form)
            yield formset, inline

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Model:
        raise PermissionDenied("This page does not add objects.")

    def service_update(
        self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]
    ) -> Model:
        raise PermissionDenied("This page does not change objects.")

    def service_error(
        self, form: forms.BaseForm, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        """Where a refusal goes; admins with inlines map `charges[1].x` to their row."""
        add_service_error(form, exc)

    # The admin's own writes are all replaced: no save(), no delete() behind the services.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise RuntimeError("ServiceModelAdmin writes through its services only.")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        raise RuntimeError("ServiceModelAdmin writes through its services only.")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise RuntimeError("ServiceModelAdmin writes through its services only.")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """No bulk delete; and every list action writes, so it asks for the change permission
        (unless it names its own)."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not self.has_change_permission(request):
            actions = {
                name: action
                for name, action in actions.items()
                if action is not None and getattr(action[0], "allowed_permissions", None)
            }
        return actions

    def _updates(self) -> bool:
        """Whether this page saves changes (it names an update service)."""
        return type(self).service_update is not ServiceModelAdmin.service_update

    @staticmethod
    def _no_save() -> dict[str, bool]:
        """A page of a document changed only by its own buttons: no Save that could only be
        refused."""
        return {"show_save": False, "show_save_and_continue": False,
                "show_save_and_add_another": False, "show_delete": False}  # fmt: skip

    def each(
        self, request: HttpRequest, objects: Any, call: Callable[[Any], Any], done: str
    ) -> None:
        """A list action: `call(obj)` (a service) for each selected object; a refusal is a
        warning naming the object, the rest go on; then "<n> <done>"."""
        count = 0
        for obj in objects:
            try:
                call(obj)
                count += 1
            except ApplicationError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{count} {done}")

    def require(self, request: HttpRequest, permission: str, obj: Any = None) -> None:
        """For the admin's own pages that act (publish, cancel, void...): the permission the
        add and change pages ask for — "add" or "change" (of `obj`)."""
        allowed = (
            self.has_add_permission(request)
            if permission == "add"
            else self.has_change_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        add = object_id is None
        obj: Any = None
        if add:
            if not self.has_add_permission(request):
                raise PermissionDenied
        else:
            assert object_id is not None
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                return self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined,no-any-return]
                    request, self.opts, object_id
                )
            if request.method == "POST":
                if not self.has_change_permission(request, obj):
                    raise PermissionDenied
            elif not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied

        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(
            request, obj, change=not add, fields=flatten_fieldsets(fieldsets)
        )
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, instance=obj)
            form_valid = form.is_valid()
            formsets, inline_instances = self._create_formsets(  # type: ignore[attr-defined]
                request, form.instance if add else obj, change=not add
            )
            if form_valid and all_valid(formsets):
                try:
                    saved = (
                        self.service_create(request, form, formsets)
                        if add
                        else self.service_update(request, obj, form, formsets)
                    )
                except (ApplicationError, ValidationError) as exc:
                    self.service_error(form, formsets, exc)
                else:
                    message = self.construct_change_message(request, form, [], add)  # type: ignore[arg-type]
                    if add:
                        self.log_addition(request, saved, message)
                        return self.response_add(request, saved)
                    self.log_change(request, saved, message)
                    return self.response_change(request, saved)
        else:
            if add:
                form = form_class(initial=self.get_changeform_initial_data(request))
            else:
                form = form_class(instance=obj)
            formsets, inline_instances = self._create_formsets(  # type: ignore[attr-defined]
                request, form.instance if add else obj, change=not add
            )

        can_change = add or self.has_change_permission(request, obj)
        readonly = (
            self.get_readonly_fields(request, obj) if can_change else flatten_fieldsets(fieldsets)
        )
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),  # type: ignore[arg-type]
            self.get_prepopulated_fields(request, obj) if can_change else {},
            readonly,
            model_admin=self,
        )
        media = self.media + admin_form.media
        inline_formsets = self.get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            media += inline_formset.media
        title = _("Add %s") if add else (_("Change %s") if can_change else _("View %s"))
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj is not None else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **(self._no_save() if not add and not self._updates() else {}),
            **(extra_context or {}),
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )
