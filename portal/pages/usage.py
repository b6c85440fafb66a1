"""The usage page: per billable metric of the customer's subscriptions, the quantity of the
current period and of the twelve before it, measured by the billing pipeline's own SQL
aggregation (`invoicing.selectors.usage_of`: one query per metric for all its windows), as a
table and a bar chart (pygal, server-side SVG without script)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from billing import periods
from billing.aggregation import Aggregate
from billing.models import Customer, Subscription
from catalog.models import BillableMetric, Charge
from invoicing import pdf
from invoicing.selectors import usage_of
from portal.pages import display

HISTORY = 12  # periods shown before the current one
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


@dataclass
class MetricUsage:
    metric: BillableMetric
    plan: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # oldest first; the last is current
    chart: SafeString = field(default_factory=SafeString)

    @property
    def current(self) -> dict[str, Any]:
        return self.rows[-1]


def usage_periods(sub: Subscription, count: int = HISTORY) -> list[periods.Period]:
    """The subscription's current period and up to `count` before it (none before it started),
    oldest first: its anchored periods (billing/periods.py), as its invoices' windows."""
    found = [periods.Period(sub.current_period_start, sub.current_period_end, 0)]
    for _step in range(count):
        before = found[0].start - timedelta(microseconds=1)
        if found[0].start <= sub.start_at:
            break
        previous = periods.period_at(sub.billing_anchor, sub.interval, before, sub.zone)
        found.insert(0, periods.Period(max(previous.start, sub.start_at), previous.end, 0))
    return found


def usage_of_customer(customer: Customer, reader: pdf.Reader) -> list[MetricUsage]:
    """Per metric charged by a live subscription's price book (first the oldest
    subscription's), the quantity of each period. Three queries, plus one per metric."""
    subs = list(
        Subscription.objects.filter(customer=customer)
        .exclude(status__in=("canceled", "ended"))
        .select_related("plan", "customer")
        .order_by("start_at", "id")
    )
    charges = list(
        Charge.objects.filter(plan_version__in=[s.plan_version_id for s in subs])
        .select_related("metric")
        .order_by("position", "id")
    )
    metrics: dict[int, tuple[BillableMetric, Subscription]] = {}
    for sub in subs:
        for charge in charges:
            if charge.plan_version_id == sub.plan_version_id:
                metrics.setdefault(charge.metric_id, (charge.metric, sub))
    windows: dict[int, set[tuple[int, datetime, datetime]]] = {}
    shown: dict[int, list[periods.Period]] = {}
    for metric_id, (_metric, sub) in metrics.items():
        shown[metric_id] = usage_periods(sub)
        windows[metric_id] = {(customer.pk, p.start, p.end) for p in shown[metric_id]}
    measured = usage_of(windows, {})
    result = []
    for metric_id, (metric, sub) in metrics.items():
        usage = MetricUsage(metric=metric, plan=display.plan_words(sub.plan.name))
        for index, period in enumerate(shown[metric_id]):
            found = measured.aggregates.get((metric_id, customer.pk, period.start, period.end))
            quantity = found.quantity if isinstance(found, Aggregate) else Decimal(0)
            usage.rows.append(
                {
                    "period": display.period_words(period.start, period.end, reader),
                    "label": reader.day(period.start),
                    "quantity": quantity,
                    "events": found.events if isinstance(found, Aggregate) else 0,
                    "current": index == len(shown[metric_id]) - 1,
                }
            )
        usage.chart = usage_chart(usage, reader)
        result.append(usage)
    return result


def usage_chart(usage: MetricUsage, reader: pdf.Reader) -> SafeString:
    """A bar per period, drawn by pygal as an inline SVG that scales to its box (no script:
    the CSP forbids inline scripts and the chart needs none). The bars' heights are floats, for
    drawing only: the table beside it gives the exact quantities."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#595959",
        colors=("#1f4e79",),
        font_family="system-ui, sans-serif",
        title_font_size=18,
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=13,
    )
    chart = pygal.Bar(
        title=_("%(metric)s per billing period") % {"metric": usage.metric.name},
        width=720,
        height=360,
        js=[],
        style=style,
        disable_xml_declaration=True,
        show_legend=False,
        explicit_size=False,
        x_label_rotation=30,
        value_formatter=lambda v: reader.number(Decimal(str(v))),
    )
    chart.x_labels = [row["label"] for row in usage.rows]
    chart.add(usage.metric.name, [float(row["quantity"]) for row in usage.rows])
    svg: str = chart.render(is_unicode=True)
    svg = SCRIPT.sub("", svg)
    return mark_safe(svg)  # noqa: S308 (pygal escapes the labels: the metric's name, dates)
