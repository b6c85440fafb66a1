"""A customer's whole story on one page: the customer admin registered once more (over
invoicing's `CustomerOverviewAdmin`, itself over billing's), its change page showing, below the
details and invoicing's, payments' and notifications' parts, the subscriptions' timelines, the
payments' allocations, the journal events about the customer, the audit history of it and its
documents, its notes (with an "add a note" form), and the actions finance staff take from there,
each shown only to staff holding the permission its view asks for.

Every part is read in a fixed number of queries (backoffice/customer_story.py), so the page costs
the same however long the customer's history; long lists are capped and link to the rest.

Also the customer notes' own admin (written through backoffice/services/notes.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from backoffice import customer_story as story
from backoffice.models import CustomerNote
from backoffice.services.notes import note_create, note_delete, note_update
from billing import services as billing_services
from billing.models import Customer
from billing.selectors import customer_as_of, customer_read_as_of
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from invoicing.admin_customer import CustomerOverviewAdmin, customer_overview
from invoicing.admin_display import instant, short
from invoicing.selectors import customer_subscriptions

# write links inside the parts other apps add to the page: (part, context key) -> permission.
# A user without the permission gets the part without the link (its template shows a link only
# when its URL is set).
SECTION_WRITE_LINKS: dict[tuple[str, str], str] = {
    ("payments.cash", "record_url"): "payments.add_payment",
    ("payments.wallet", "grant_url"): "payments.add_creditgrant",
    ("payments.wallet", "top_up_url"): "payments.add_creditgrant",
    ("payments.dunning", "evaluate_url"): "payments.change_customerdunning",
}

LIST_PAGE = 100
JOURNAL_PERMISSION = "billing.view_journalevent"  # the journal's part and its page


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "id": "id_note_body"}),
        max_length=10_000,
        strip=True,
    )


def _without_write_links(user: Any, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for part in sections:
        context = dict(part["context"])
        for (key, link), permission in SECTION_WRITE_LINKS.items():
            if part["key"] == key and link in context and not user.has_perm(permission):
                context[link] = ""
        out.append({**part, "context": context})
    return out


def customer_story(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """What the page shows besides the details: invoicing's overview (with the parts of the
    layers above it) and the back office's own parts."""
    as_of = customer_read_as_of(customer, timezone.now())
    zone = customer.timezone or "UTC"
    overview = customer_overview(customer, as_of)
    overview["sections"] = _without_write_links(request.user, overview["sections"])
    subscriptions = customer_subscriptions(customer_id=customer.pk)[: story.SHOWN]
    timelines = story.subscription_timelines(subscriptions, zone, as_of)
    notes, note_count = story.customer_notes(customer.pk)
    user = request.user
    # the journal's part needs what its own page needs (support does not hold it); the audit
    # history's page needs what this page needs
    can_journal = user.has_perm(JOURNAL_PERMISSION)
    journal = list(story.customer_journal_events(customer.pk)[: story.SHOWN]) if can_journal else []
    audit = list(story.customer_audit_events(customer)[: story.SHOWN])
    return {
        "overview": overview,
        "story": {
            "zone": zone,
            "timelines": [
                {
                    "id": sub.pk,
                    "url": reverse("admin:billing_subscription_change", args=[sub.pk]),
                    "plan": f"{sub.plan.name} ({sub.plan_version.label})",
                    "status": sub.status,
                    "events": timelines.get(sub.pk, []),
                }
                for sub in subscriptions
            ],
            "allocations": story.payment_allocations(customer, zone),
            "can_journal": can_journal,
            "journal": story.journal_rows(journal, zone),
            "audit": story.audit_rows(audit, zone),
            "notes": story.note_rows(notes, zone),
            "note_count": note_count,
            "can_add_note": user.has_perm("backoffice.add_customernote"),
            "can_change_note": user.has_perm("backoffice.change_customernote"),
            "note_form": NoteForm(),
            "actions": story.story_actions(
                user, customer, story.invoices_to_retry(customer.pk), customer.is_archived
            ),
            "bulk": story.bulk_buttons(user, customer.pk, as_of),
            "links": story.all_links(customer.pk),
            "shown": story.SHOWN,
        },
    }


class CustomerStoryAdmin(CustomerOverviewAdmin):
    """The customer admin of the back office: the customer's whole story on its page."""

    change_form_template = "backoffice/customer_story.html"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        if request.method != "POST":
            customer = self.get_object(request, unquote(object_id))
            if customer is not None and self.has_view_or_change_permission(request, customer):
                extra.update(customer_story(request, customer))
        # billing's change view (invoicing's would read its overview a second time)
        return super(CustomerOverviewAdmin, self).change_view(
            request, object_id, form_url, extra_context=extra
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/notes/add/", view(self.add_note_view), name="billing_customer_add_note"),
            path("<int:pk>/archive/", view(self.archive_view), name="billing_customer_archive"),
            path("<int:pk>/journal/", view(self.journal_view), name="billing_customer_journal"),
            path("<int:pk>/audit/", view(self.audit_view), name="billing_customer_audit"),
        ]
        return own + super().get_urls()

    def _customer(self, request: HttpRequest, pk: int) -> Customer:
        customer = self.get_object(request, str(pk))
        if customer is None:
            raise Http404("No such customer.")
        if not self.has_view_or_change_permission(request, customer):
            raise PermissionDenied
        return customer  # type: ignore[no-any-return]

    def _story_page(self, customer: Customer, anchor: str = "") -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:billing_customer_change", args=[customer.pk]) + anchor
        )

    def add_note_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST from the page's "Add a note" form: `note_create`; a refusal is an error on
        the form's field, shown on a page of its own with what was typed."""
        customer = self._customer(request, pk)
        if not request.user.has_perm("backoffice.add_customernote"):
            raise PermissionDenied
        form = NoteForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                note_create(
                    customer_id=customer.pk,
                    body=form.cleaned_data["body"],
                    actor=actor_of(request),
                    as_of=customer_as_of(customer, timezone.now()),
                    author_id=request.user.pk,
                )
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                self.message_user(request, "Note added.", messages.SUCCESS)
                return self._story_page(customer, "#story-notes")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add a note on {customer}",
            "opts": self.opts,
            "original": customer,
            "form": form,
        }
        return TemplateResponse(request, "backoffice/customer_note_form.html", context)

    def archive_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST from the page: archive the customer, or restore an archived one."""
        customer = self._customer(request, pk)
        self.require(request, "change", customer)
        if request.method == "POST":
            archive = not customer.is_archived
            service = (
                billing_services.customer_archive
                if archive
                else billing_services.customer_unarchive
            )
            try:
                service(
                    customer_id=customer.pk,
                    actor=actor_of(request),
                    as_of=customer_as_of(customer, timezone.now()),
                    reason="from the customer's page",
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                done = "archived" if archive else "restored"
                self.message_user(request, f"Customer {done}.", messages.SUCCESS)
        return self._story_page(customer)

    def _list_page(
        self, request: HttpRequest, customer: Customer, kind: str, rows: Any, convert: Any
    ) -> HttpResponse:
        page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
        zone = customer.timezone or "UTC"
        context = {
            **self.admin_site.each_context(request),
            "title": f"{kind.capitalize()} of {customer}",
            "opts": self.opts,
            "original": customer,
            "kind": kind,
            "page": page,
            "rows": convert(list(page.object_list), zone),
            "zone": zone,
        }
        return TemplateResponse(request, "backoffice/customer_story_list.html", context)

    def journal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Every journal event about the customer and what it owns, the latest first."""
        customer = self._customer(request, pk)
        if not request.user.has_perm(JOURNAL_PERMISSION):
            raise PermissionDenied
        rows = story.customer_journal_events(customer.pk)
        return self._list_page(request, customer, "journal events", rows, story.journal_rows)

    def audit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The audit history of the customer and its documents, the latest first."""
        customer = self._customer(request, pk)
        rows = story.customer_audit_events(customer)
        return self._list_page(
            request, customer, "audit history", rows, lambda r, z: story.audit_rows(r, z, 50)
        )


if admin.site.is_registered(Customer):
    admin.site.unregister(Customer)
admin.site.register(Customer, CustomerStoryAdmin)


# ---------------------------------------------------------------------------------------------
# customer notes


class CustomerNoteForm(forms.ModelForm[CustomerNote]):
    class Meta:
        model = CustomerNote
        fields = ("customer", "body")


@admin.register(CustomerNote)
class CustomerNoteAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """Notes on customers: added from the customer's page (or here), edited here, deleted by
    the list action; each write through its service (journal event, audit history)."""

    form = CustomerNoteForm
    list_display = ("customer", "excerpt", "author_label", "created", "updated")
    list_select_related = ("customer",)
    search_fields = ("body", "customer__external_id", "customer__name", "author_label")
    autocomplete_fields = ("customer",)
    readonly_fields = ("author_label", "created_at", "updated_at")
    actions = ("delete_notes",)

    @admin.display(description="note")
    def excerpt(self, obj: CustomerNote) -> str:
        return short(obj.body, 80)

    @admin.display(description="added", ordering="created_at")
    def created(self, obj: CustomerNote) -> str:
        return instant(obj.created_at, obj.customer.timezone or "UTC")

    @admin.display(description="edited", ordering="updated_at")
    def updated(self, obj: CustomerNote) -> str:
        if obj.updated_at == obj.created_at:
            return "-"
        return instant(obj.updated_at, obj.customer.timezone or "UTC")

    def get_fields(self, request: HttpRequest, obj: CustomerNote | None = None) -> Any:
        if obj is None:
            return ("customer", "body")
        return ("customer", "body", "author_label", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: CustomerNote | None = None) -> Any:
        if obj is None:
            return ()
        return ("customer", *self.readonly_fields)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        if str(request.GET.get("customer", "")).isdigit():
            initial["customer"] = request.GET["customer"]
        return initial

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> CustomerNote:
        customer = form.cleaned_data["customer"]
        return note_create(
            customer_id=customer.pk,
            body=form.cleaned_data["body"],
            actor=actor_of(request),
            as_of=customer_as_of(customer, timezone.now()),
            author_id=request.user.pk,
        )

    def service_update(
        self, request: HttpRequest, obj: CustomerNote, form: Any, formsets: list[Any]
    ) -> CustomerNote:
        return note_update(
            note_id=obj.pk,
            body=form.cleaned_data["body"],
            actor=actor_of(request),
            as_of=customer_as_of(obj.customer, timezone.now()),
        )

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("backoffice.delete_customernote"))

    @admin.action(description="Delete the selected notes", permissions=["remove"])
    def delete_notes(self, request: HttpRequest, queryset: QuerySet[CustomerNote]) -> None:
        self.each(
            request,
            queryset.select_related("customer"),
            lambda n: note_delete(
                note_id=n.pk,
                actor=actor_of(request),
                as_of=customer_as_of(n.customer, timezone.now()),
            ),
            "note(s) deleted.",
        )
