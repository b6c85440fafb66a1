"""GET /api/v1/dashboard/: the finance dashboard's figures (the admin index's), for one currency
and a period of UTC months, as of the request's instant.

Resource `reports` (`reports:read` or `read` keys); staff sessions need the permission the
dashboard page asks for (`backoffice.view_export`: finance manager and finance viewer). Bad
parameters are a 400 naming the field. Amounts are decimal strings in the currency.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice import selectors
from backoffice.dashboard import MOVEMENTS, default_period, parse_month, period_problems
from backoffice.models import Export
from catalog.money import is_currency, quantize
from core.api.schema import error_responses
from core.exceptions import ValidationFailed
from payments import reports

TAGS = ["reports"]


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d+(\.\d+)?$",
        "description": "an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)",
    }
)
class CurrencyAmount(serializers.Field):  # type: ignore[type-arg]
    """A read-only amount as a decimal string in the dashboard's currency (the serializer's
    context `currency`): `49.99` USD, `0` JPY, never the column's four decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return str(quantize(Decimal(value), self.context["currency"]))


def _money() -> CurrencyAmount:
    return CurrencyAmount()


class MovementOut(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    amount = _money()


class MrrMonthOut(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    mrr = _money()
    customers = serializers.IntegerField(help_text="customers with MRR > 0 at the month's end")
    new = MovementOut()
    expansion = MovementOut()
    contraction = MovementOut(help_text="amount negative")
    churn = MovementOut(help_text="amount negative")
    reactivation = MovementOut()


class RevenueMonthOut(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    invoiced = _money()
    invoice_count = serializers.IntegerField()
    credited = _money()
    credit_note_count = serializers.IntegerField()
    voided = _money()
    void_count = serializers.IntegerField()
    net_invoiced = _money()
    collected = _money()
    payment_count = serializers.IntegerField()
    refunded = _money()
    refund_count = serializers.IntegerField()
    net_collected = _money()
    failed_count = serializers.IntegerField()
    failed_amount = _money()
    recovered_count = serializers.IntegerField()
    recovery_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, help_text="recovered / failed"
    )


class FailedOut(serializers.Serializer[Any]):
    failed = serializers.IntegerField()
    recovered = serializers.IntegerField()
    recovery_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)


class AgingOut(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    buckets = serializers.DictField(child=_money(), help_text=", ".join(reports.BUCKETS))
    counts = serializers.DictField(child=serializers.IntegerField())
    total = _money()
    written_off = _money()
    written_off_count = serializers.IntegerField()


class DunningOut(serializers.Serializer[Any]):
    state = serializers.CharField(help_text="the state's code")
    name = serializers.CharField()
    position = serializers.IntegerField()
    policy = serializers.CharField()
    customers = serializers.IntegerField()


class UsageOut(serializers.Serializer[Any]):
    metric = serializers.CharField()
    name = serializers.CharField()
    aggregation = serializers.CharField()
    events = serializers.IntegerField()
    value_sum = serializers.DecimalField(max_digits=38, decimal_places=12, allow_null=True)


class RenewalOut(serializers.Serializer[Any]):
    subscription = serializers.IntegerField()
    customer = serializers.IntegerField()
    external_id = serializers.CharField()
    plan = serializers.CharField()
    status = serializers.CharField()
    renews_at = serializers.DateTimeField()
    amount = _money()


class RenewalsOut(serializers.Serializer[Any]):
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    count = serializers.IntegerField()
    total = _money()
    subscriptions = RenewalOut(many=True, help_text="the first 10 by date")


class DashboardOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    period_from = serializers.CharField(help_text="YYYY-MM")
    period_to = serializers.CharField(help_text="YYYY-MM")
    as_of = serializers.DateTimeField()
    mrr = MrrMonthOut(many=True)
    revenue = RevenueMonthOut(many=True)
    failed_payments = FailedOut()
    ar_aging = AgingOut()
    dunning = DunningOut(many=True)
    usage = UsageOut(many=True)
    renewals = RenewalsOut()


def dashboard_data(d: selectors.Dashboard) -> dict[str, Any]:
    def month(value: date) -> str:
        return f"{value:%Y-%m}"

    return {
        "currency": d.currency,
        "period_from": month(d.first),
        "period_to": month(d.last),
        "as_of": d.as_of,
        "mrr": [
            {
                "month": month(m.month),
                "mrr": m.mrr,
                "customers": m.customers,
                **{k: {"count": m.counts[k], "amount": m.amounts[k]} for k in MOVEMENTS},
            }
            for m in d.mrr
        ],
        "revenue": [
            {
                "month": month(r.month),
                "invoiced": r.invoiced,
                "invoice_count": r.invoice_count,
                "credited": r.credited,
                "credit_note_count": r.credit_note_count,
                "voided": r.voided,
                "void_count": r.void_count,
                "net_invoiced": r.net_invoiced,
                "collected": r.collected,
                "payment_count": r.payment_count,
                "refunded": r.refunded,
                "refund_count": r.refund_count,
                "net_collected": r.net_collected,
                "failed_count": r.failed_count,
                "failed_amount": r.failed_amount,
                "recovered_count": r.recovered_count,
                "recovery_rate": r.recovery_rate,
            }
            for r in d.revenue
        ],
        "failed_payments": {
            "failed": d.failed_count,
            "recovered": d.recovered_count,
            "recovery_rate": d.recovery_rate,
        },
        "ar_aging": {
            "as_of": d.as_of.date(),
            "buckets": d.aging.buckets,
            "counts": d.aging.counts,
            "total": d.aging.total,
            "written_off": d.aging.written_off,
            "written_off_count": d.aging.written_off_count,
        },
        "dunning": [
            {
                "state": s.code,
                "name": s.name,
                "position": s.position,
                "policy": s.policy,
                "customers": s.customers,
            }
            for s in d.dunning
        ],
        "usage": [
            {
                "metric": u.code,
                "name": u.name,
                "aggregation": u.aggregation,
                "events": u.events,
                "value_sum": u.value_sum,
            }
            for u in d.usage
        ],
        "renewals": {
            "window_start": d.renewals.start,
            "window_end": d.renewals.end,
            "count": d.renewals.count,
            "total": d.renewals.total,
            "subscriptions": [
                {
                    "subscription": r.subscription_id,
                    "customer": r.customer_id,
                    "external_id": r.external_id,
                    "plan": r.plan,
                    "status": r.status,
                    "renews_at": r.renews_at,
                    "amount": r.amount,
                }
                for r in d.renewals.rows
            ],
        },
    }


class DashboardView(APIView):
    permission_model = Export  # staff sessions: backoffice.view_export, as the admin page
    scope_resource = "reports"

    @extend_schema(
        operation_id="dashboard_retrieve",
        parameters=[
            OpenApiParameter(
                "currency",
                str,
                description="ISO 4217 code (default: the "
                "currency with the most finalized invoices)",
            ),
            OpenApiParameter(
                "from", str, description="first month, YYYY-MM (default: 11 months before this one)"
            ),
            OpenApiParameter(
                "to",
                str,
                description="last month, YYYY-MM, at most this one "
                "(default: this one); 36 months at most",
            ),
        ],
        responses={200: DashboardOut, **error_responses(400)},
        tags=TAGS,
        description=(
            "The finance dashboard's figures: MRR and its movements by month (recurring fixed "
            "fees normalized to a month, at each month's end), invoiced and collected revenue, "
            "failed payments and their recovery, the AR aging, customers per dunning state, "
            "usage by metric and the renewals of the next 30 days."
        ),
    )
    def get(self, request: Request) -> Response:
        as_of = timezone.now()
        currency = (request.query_params.get("currency") or "").strip().upper()
        if not currency:
            found = selectors.dashboard_currencies()
            currency = found[0][0] if found else "USD"
        elif not is_currency(currency):
            raise ValidationFailed(
                f"{currency!r} is not an ISO 4217 currency code.", field="currency",
                code="invalid",
            )  # fmt: skip
        first, last = default_period(as_of)
        for name in ("from", "to"):
            text = request.query_params.get(name)
            if text is None or text == "":
                continue
            try:
                value = parse_month(text)
            except ValueError as exc:
                raise ValidationFailed(str(exc), field=name, code="invalid") from None
            first, last = (value, last) if name == "from" else (first, value)
        for name, message in period_problems(first, last, as_of).items():
            raise ValidationFailed(message, field=name, code="invalid")
        d = selectors.dashboard(currency=currency, first=first, last=last, as_of=as_of)
        return Response(DashboardOut(dashboard_data(d), context={"currency": d.currency}).data)
