"""The finance dashboard: the admin's index for staff who may see it (`DASHBOARD_PERMISSION`),
above Django's list of apps and models (still on the same page, under "All models").

Per currency (a picker; default: the currency with the most finalized invoices) and a period of
UTC months (from, to; default the last 12 months, this one included): MRR and its movements,
invoiced and collected revenue, failed payments and their recovery, the AR aging, customers in
each dunning state, usage by metric and the renewals of the next 30 days (figures:
backoffice/selectors.py; MRR's definition: backoffice/dashboard.py). Every figure links to the
rows behind it: an admin list filtered in its query string (invoices, credit notes, payments,
refunds, usage events, the AR aging report), or a drill-down page of the dashboard's own (the
customers behind a month's MRR or a movement, the customers in a dunning state, the renewals).

Charts are pygal's SVG drawn on the server, inline, without script (the CSP). The page reads the
clock once (its `as_of`); the selectors take it. Bad input is a form error on its field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from backoffice import selectors
from backoffice.dashboard import (
    MOVEMENT_LABELS,
    MOVEMENTS,
    default_period,
    month_end,
    month_start,
    parse_month,
    period_problems,
)
from catalog.admin_display import instant, money
from catalog.money import is_currency
from payments import reports

# Who sees the dashboard: the finance roles' permission to read accounting exports (finance
# manager and finance viewer hold it; support does not). The same permission guards its API.
DASHBOARD_PERMISSION = "backoffice.view_export"
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
OWING = ("open", "partially_paid", "paid", "uncollectible")  # finalized and not void
FINALIZED = (*OWING, "void")  # every invoice finalized (a void one was, and stays in its month)
# the query parameters each page takes (anything else is an error naming it); Django's own
# admin index takes none, so the index's are the dashboard form's
INDEX_PARAMETERS = ("currency", "from", "to")
STATE_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, within PostgreSQL's bigint


def may_see(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(DASHBOARD_PERMISSION))


# ---------------------------------------------------------------------------------- input


class DashboardForm(forms.Form):
    """The picker: currency and period (`YYYY-MM` months). Every field is optional: a missing
    one takes its default."""

    currency = forms.CharField(required=False, max_length=3)
    from_ = forms.CharField(required=False, max_length=7, label="From")
    to = forms.CharField(required=False, max_length=7, label="To")

    def __init__(self, *args: Any, as_of: datetime, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.as_of = as_of
        self.currencies = currencies
        # `from` is a keyword: the query string's name is `from`, the field's `from_`
        self.fields["from_"].widget.attrs.update(placeholder="YYYY-MM")
        self.fields["to"].widget.attrs.update(placeholder="YYYY-MM")

    def add_prefix(self, field_name: str) -> str:
        return "from" if field_name == "from_" else field_name

    def clean_currency(self) -> str:
        code = (self.cleaned_data.get("currency") or "").strip().upper()
        if not code:
            return self.currencies[0] if self.currencies else "USD"
        if not is_currency(code):
            raise forms.ValidationError(f"{code!r} is not an ISO 4217 currency code.")
        return code

    def _month(self, name: str, default: date) -> date:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return default
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_from_(self) -> date:
        return self._month("from_", default_period(self.as_of)[0])

    def clean_to(self) -> date:
        return self._month("to", default_period(self.as_of)[1])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in unknown_parameters(self.data, INDEX_PARAMETERS):
            self.add_error(None, f"{name}: unknown parameter (the dashboard takes currency, "
                                 "from and to).")  # fmt: skip
        if "from_" in data and "to" in data:
            for name, message in period_problems(data["from_"], data["to"], self.as_of).items():
                self.add_error("from_" if name == "from" else name, message)
        return data


def unknown_parameters(query: Any, allowed: tuple[str, ...]) -> list[str]:
    """The names in a query string that a page does not take, sorted."""
    return sorted(name for name in query if name not in allowed)


def _unknown_error(request: HttpRequest, allowed: tuple[str, ...]) -> str:
    unknown = unknown_parameters(request.GET, allowed)
    if not unknown:
        return ""
    return "; ".join(
        f"{name}: unknown parameter (this page takes {', '.join(allowed)})." for name in unknown
    )


def _month_param(value: date) -> str:
    return f"{value:%Y-%m}"


def _iso(value: datetime) -> str:
    return value.isoformat()


def _url(name: str, **query: Any) -> str:
    base = reverse(name)
    return f"{base}?{urlencode(query)}" if query else base


# ---------------------------------------------------------------------------------- links


def links_for_month(currency: str, month: date) -> dict[str, str]:
    """The admin lists behind a month's money figures (filters of the lists' own fields)."""
    start, end = _iso(month_start(month)), _iso(month_end(month))
    return {
        "invoiced": _url(
            "admin:invoicing_invoice_changelist", currency=currency,
            status__in=",".join(FINALIZED), finalized_at__gte=start, finalized_at__lt=end,
        ),
        "voided": _url(
            "admin:invoicing_invoice_changelist", currency=currency, status="void",
            voided_at__gte=start, voided_at__lt=end,
        ),
        "credited": _url(
            "admin:invoicing_creditnote_changelist", currency=currency,
            issued_at__gte=start, issued_at__lt=end,
        ),
        "collected": _url(
            "admin:payments_payment_changelist", currency=currency, state="succeeded",
            received_at__gte=start, received_at__lt=end,
        ),
        "refunded": _url(
            "admin:payments_refund_changelist", currency=currency, state="succeeded",
            settled_at__gte=start, settled_at__lt=end,
        ),
        "failed": _url(
            "admin:payments_payment_changelist", currency=currency, state="failed",
            created_at__gte=start, created_at__lt=end,
        ),
    }  # fmt: skip


def mrr_link(currency: str, month: date, kind: str) -> str:
    return _url(
        "admin:backoffice_dashboard_mrr", currency=currency, month=_month_param(month), kind=kind
    )


def usage_link(metric_id: int, first: date, last: date) -> str:
    return _url(
        "admin:billing_usageevent_changelist",
        metric__id__exact=metric_id,
        event_time__gte=_iso(month_start(first)),
        event_time__lt=_iso(month_end(last)),
    )


# --------------------------------------------------------------------------------- charts


def _svg(chart: Any) -> SafeString:
    svg: str = chart.render(is_unicode=True)
    # pygal always writes an inline <script> (its tooltips' config): the CSP would block it and
    # the chart needs none (payments/admin_cash.py's aging chart does the same)
    return mark_safe(SCRIPT.sub("", svg))  # noqa: S308 (pygal escapes its labels)


def _chart(kind: str, title: str, currency: str, **options: Any) -> Any:
    import pygal
    from pygal.style import Style

    style = Style(
        background="transparent", plot_background="transparent",
        colors=("#2e7d32", "#66bb6a", "#ffa726", "#c62828", "#42a5f5", "#8d6e63"),
        font_family="system-ui, sans-serif", title_font_size=14, label_font_size=11,
        legend_font_size=11, value_font_size=9,
    )  # fmt: skip
    cls = getattr(pygal, kind)
    return cls(
        title=title, width=760, height=320, js=[], disable_xml_declaration=True,
        explicit_size=True, style=style, legend_at_bottom=True, legend_at_bottom_columns=5,
        x_label_rotation=0, truncate_legend=-1, show_minor_x_labels=True,
        value_formatter=lambda v: f"{v:,.0f} {currency}", **options,
    )  # fmt: skip


def _bar(value: Decimal, href: str) -> dict[str, Any]:
    # a bar's height is a float, for drawing only: the figures on the page are the Decimals
    return {"value": float(value), "xlink": {"href": href, "target": "_self"}}


def movements_chart(d: selectors.Dashboard) -> SafeString:
    """MRR movements by month: gains above the axis, losses below; each bar links to its
    customers."""
    chart = _chart("StackedBar", f"MRR movements ({d.currency})", d.currency)
    chart.x_labels = [f"{m.month:%b %y}" for m in d.mrr]
    for kind in ("new", "reactivation", "expansion", "contraction", "churn"):
        chart.add(
            MOVEMENT_LABELS[kind],
            [_bar(m.amounts[kind], mrr_link(d.currency, m.month, kind)) for m in d.mrr],
        )
    return _svg(chart)


def mrr_chart(d: selectors.Dashboard) -> SafeString:
    chart = _chart("Bar", f"MRR at each month's end ({d.currency})", d.currency,
                   show_legend=False)  # fmt: skip
    chart.x_labels = [f"{m.month:%b %y}" for m in d.mrr]
    chart.add("MRR", [_bar(m.mrr, mrr_link(d.currency, m.month, "mrr")) for m in d.mrr])
    return _svg(chart)


def revenue_chart(d: selectors.Dashboard) -> SafeString:
    chart = _chart("Bar", f"Invoiced and collected ({d.currency}, net)", d.currency)
    chart.x_labels = [f"{r.month:%b %y}" for r in d.revenue]
    links = [links_for_month(d.currency, r.month) for r in d.revenue]
    chart.add(
        "Invoiced",
        [_bar(r.net_invoiced, k["invoiced"]) for r, k in zip(d.revenue, links, strict=True)],
    )
    chart.add(
        "Collected",
        [_bar(r.net_collected, k["collected"]) for r, k in zip(d.revenue, links, strict=True)],
    )
    return _svg(chart)


# --------------------------------------------------------------------------------- context


def _rate(value: Decimal | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def dashboard_context(d: selectors.Dashboard, currencies: list[tuple[str, int]]) -> dict[str, Any]:
    c = d.currency
    mrr_rows = [
        {
            "month": f"{m.month:%Y-%m}",
            "mrr": money(m.mrr, c),
            "mrr_url": mrr_link(c, m.month, "mrr"),
            "customers": m.customers,
            "moves": [
                {
                    "kind": kind,
                    "amount": money(m.amounts[kind], c),
                    "count": m.counts[kind],
                    "url": mrr_link(c, m.month, kind),
                }
                for kind in MOVEMENTS
            ],
        }
        for m in d.mrr
    ]
    revenue_rows = []
    for r in d.revenue:
        links = links_for_month(c, r.month)
        revenue_rows.append(
            {
                "month": f"{r.month:%Y-%m}",
                "invoiced": money(r.invoiced, c),
                "invoice_count": r.invoice_count,
                "credited": money(r.credited, c),
                "credit_note_count": r.credit_note_count,
                "voided": money(r.voided, c),
                "void_count": r.void_count,
                "net_invoiced": money(r.net_invoiced, c),
                "collected": money(r.collected, c),
                "payment_count": r.payment_count,
                "refunded": money(r.refunded, c),
                "refund_count": r.refund_count,
                "net_collected": money(r.net_collected, c),
                "failed_count": r.failed_count,
                "failed_amount": money(r.failed_amount, c),
                "recovered_count": r.recovered_count,
                "rate": _rate(r.recovery_rate),
                "links": links,
            }
        )
    latest = d.mrr[-1] if d.mrr else None
    aging_url = _url("admin:payments_ar_aging", as_of=f"{d.as_of:%Y-%m-%d}")
    return {
        "d": d,
        "currency": c,
        "currencies": currencies,
        "period": f"{d.first:%Y-%m} to {d.last:%Y-%m}",
        "as_of_shown": instant(d.as_of),
        "latest_mrr": money(latest.mrr, c) if latest else money(Decimal(0), c),
        "latest_mrr_url": mrr_link(c, latest.month, "mrr") if latest else "",
        "latest_customers": latest.customers if latest else 0,
        "arr": money((latest.mrr if latest else Decimal(0)) * 12, c),
        "mrr_rows": mrr_rows,
        "movement_labels": [MOVEMENT_LABELS[k] for k in MOVEMENTS],
        "revenue_rows": revenue_rows,
        "totals": {
            "net_invoiced": money(sum((r.net_invoiced for r in d.revenue), Decimal(0)), c),
            "net_collected": money(sum((r.net_collected for r in d.revenue), Decimal(0)), c),
            "failed": d.failed_count,
            "recovered": d.recovered_count,
            "rate": _rate(d.recovery_rate),
        },
        "aging": {
            "url": aging_url,
            "total": money(d.aging.total, c),
            "count": d.aging.invoice_count,
            "buckets": [
                {
                    "label": reports.LABELS[b],
                    "amount": money(d.aging.buckets[b], c),
                    "count": d.aging.counts[b],
                }
                for b in reports.BUCKETS
            ],
            "written_off": money(d.aging.written_off, c),
            "written_off_count": d.aging.written_off_count,
        },
        "dunning": [
            {
                "label": f"{s.position}. {s.name}",
                "code": s.code,
                "policy": s.policy,
                "customers": s.customers,
                "url": _url("admin:backoffice_dashboard_dunning", currency=c, state=s.state_id),
            }
            for s in d.dunning
        ],
        "usage": [
            {
                "code": u.code,
                "name": u.name,
                "aggregation": u.aggregation,
                "events": u.events,
                "sum": "-" if u.value_sum is None else f"{u.value_sum.normalize():,f}",
                "url": usage_link(u.metric_id, d.first, d.last),
            }
            for u in d.usage
        ],
        "renewals": {
            "count": d.renewals.count,
            "total": money(d.renewals.total, c),
            "url": _url("admin:backoffice_dashboard_renewals", currency=c),
            "rows": [_renewal_row(r, c) for r in d.renewals.rows],
        },
        "charts": {
            "movements": movements_chart(d),
            "mrr": mrr_chart(d),
            "revenue": revenue_chart(d),
        },
    }


def _renewal_row(r: selectors.Renewal, currency: str) -> dict[str, Any]:
    return {
        "url": reverse("admin:billing_subscription_change", args=[r.subscription_id]),
        "customer_url": reverse("admin:billing_customer_change", args=[r.customer_id]),
        "customer": f"{r.external_id} — {r.name}",
        "plan": r.plan,
        "status": r.status,
        "renews_at": instant(r.renews_at),
        "amount": money(r.amount, currency),
    }


# ---------------------------------------------------------------------------------- views


def _form(request: HttpRequest, as_of: datetime) -> tuple[DashboardForm, list[tuple[str, int]]]:
    currencies = selectors.dashboard_currencies()
    form = DashboardForm(
        request.GET or None, as_of=as_of, currencies=[code for code, _ in currencies]
    )
    return form, currencies


def index_extra(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's part of the admin index (empty for staff who may not see it)."""
    if not may_see(request):
        return {}
    as_of = timezone.now()
    form, currencies = _form(request, as_of)
    if request.GET and not form.is_valid():
        return {"dashboard_form": form, "dashboard_error": True, "currencies": currencies}
    if not request.GET:
        form = DashboardForm({}, as_of=as_of, currencies=[code for code, _ in currencies])
        form.is_valid()
    data = form.cleaned_data
    d = selectors.dashboard(
        currency=data["currency"], first=data["from_"], last=data["to"], as_of=as_of
    )
    return {"dashboard_form": form, **dashboard_context(d, currencies)}


_django_index = admin.site.index


def index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    return _django_index(request, {**index_extra(request), **(extra_context or {})})


def _page(request: HttpRequest, template: str, **context: Any) -> TemplateResponse:
    if not may_see(request):
        raise PermissionDenied
    full = {**admin.site.each_context(request), **context}
    return TemplateResponse(request, f"backoffice/{template}", full)


def _currency(request: HttpRequest) -> tuple[str, str]:
    code = (request.GET.get("currency") or "").strip().upper()
    if not is_currency(code):
        return code, f"currency: {code!r} is not an ISO 4217 currency code."
    return code, ""


def mrr_view(request: HttpRequest) -> HttpResponse:
    """The customers behind a month's MRR or one of its movements."""
    if not may_see(request):
        raise PermissionDenied
    as_of = timezone.now()
    currency, error = _currency(request)
    error = error or _unknown_error(request, ("currency", "month", "kind"))
    kind = request.GET.get("kind", "mrr")
    month: date | None = None
    if not error and kind != "mrr" and kind not in MOVEMENTS:
        error = f"kind: {kind!r} is not one of mrr, {', '.join(MOVEMENTS)}."
    if not error:
        try:
            month = parse_month(request.GET.get("month", ""))
        except ValueError as exc:
            error = f"month: {exc}"
    if month is not None and not error:
        problems = period_problems(month, month, as_of)
        if problems:
            error = "month: " + next(iter(problems.values()))
    rows: list[dict[str, Any]] = []
    total = 0
    if not error and month is not None:
        found, total = selectors.mrr_rows(currency=currency, month=month, kind=kind, as_of=as_of)
        rows = [
            {
                "url": reverse("admin:billing_customer_change", args=[r.customer_id]),
                "customer": f"{r.external_id} — {r.name}",
                "previous": money(r.previous, currency),
                "current": money(r.current, currency),
                "change": money(r.change, currency),
                "kind": MOVEMENT_LABELS.get(r.kind, "MRR"),
            }
            for r in found
        ]
    label = "MRR" if kind == "mrr" else MOVEMENT_LABELS.get(kind, kind)
    title = f"{label} in {month:%Y-%m} ({currency})" if month else "MRR"
    return _page(
        request, "dashboard_mrr.html", title=title, rows=rows, total=total, error=error,
        kind=kind, shown=len(rows),
    )  # fmt: skip


def dunning_view(request: HttpRequest) -> HttpResponse:
    if not may_see(request):
        raise PermissionDenied
    currency, error = _currency(request)
    error = error or _unknown_error(request, ("currency", "state"))
    state = request.GET.get("state", "")
    # not str.isdigit(): "²" is a digit to it, and int() refuses it
    if not error and not STATE_ID.fullmatch(state):
        error = f"state: {state!r} is not a dunning state's id."
    rows = []
    if not error:
        rows = [
            {
                "url": reverse("admin:billing_customer_change", args=[cid]),
                "customer": f"{external_id} — {name}",
                "entered": instant(entered),
            }
            for cid, external_id, name, entered in selectors.dunning_customers(
                currency=currency, state_id=int(state)
            )
        ]
    return _page(
        request, "dashboard_dunning.html", title=f"Customers in dunning ({currency})",
        rows=rows, error=error,
    )  # fmt: skip


def renewals_view(request: HttpRequest) -> HttpResponse:
    if not may_see(request):
        raise PermissionDenied
    currency, error = _currency(request)
    error = error or _unknown_error(request, ("currency",))
    found = None
    if not error:
        found = selectors.renewals(currency=currency, as_of=timezone.now(), limit=1000)
    return _page(
        request, "dashboard_renewals.html",
        title=f"Renewals in the next {selectors.RENEWAL_DAYS} days ({currency})", error=error,
        count=found.count if found else 0, total=money(found.total, currency) if found else "",
        rows=[_renewal_row(r, currency) for r in found.rows] if found else [],
    )  # fmt: skip


_django_get_urls = admin.site.get_urls


def get_urls() -> list[URLPattern | URLResolver]:
    view = admin.site.admin_view
    own: list[URLPattern | URLResolver] = [
        path("dashboard/mrr/", view(mrr_view), name="backoffice_dashboard_mrr"),
        path("dashboard/dunning/", view(dunning_view), name="backoffice_dashboard_dunning"),
        path("dashboard/renewals/", view(renewals_view), name="backoffice_dashboard_renewals"),
    ]
    return own + _django_get_urls()


# The admin site is Django's default one (config/urls.py): the dashboard becomes its index and
# adds its drill-down pages, before the URLs are built (admin modules load at start-up).
admin.site.index = index  # type: ignore[method-assign, assignment]
admin.site.get_urls = get_urls  # type: ignore[method-assign]
admin.site.index_template = "backoffice/dashboard_index.html"
