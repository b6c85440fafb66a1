from __future__ import annotations

from datetime import date, datetime

import pghistory
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from billing import lifecycle, periods
from billing.enums import (
    ChangeKind,
    ChangeStatus,
    ChangeTiming,
    ProrationKind,
    SubscriptionStatus,
)
from billing.models.customers import Customer
from billing.validators import validate_metadata
from catalog.models import BillingPolicy, Plan, PlanVersion


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Subscription(models.Model):
    """A customer's subscription to a plan. Its periods come from `billing_anchor` (a local date
    in the customer's time zone) plus n x the plan's interval: see billing/periods.py."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="items",
        null=True,
        blank=True,
        help_text="An item of this subscription (Stripe's subscription items): billed on its "
        "cycle, on its invoices; empty for a subscription of its own.",
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text="The price book in force for this subscription now.",
    )
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices)
    start_at = models.DateTimeField()
    billing_anchor = models.DateField(help_text="Local date the periods are counted from.")
    trial_end = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    current_period_index = models.IntegerField(
        help_text="n of the current period; -1 for a trial or a calendar-aligned first period."
    )
    fee_since = models.DateTimeField(
        help_text="Start of the current fee segment in the period (the last change of plan or "
        "quantity): a fee billed in arrears is charged from here at the current price."
    )
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="A set end date.")
    phase_start_period = models.IntegerField(
        null=True,
        blank=True,
        help_text="The index of the period its price book's phase walk started at (set by a "
        "change of plan); empty: its first paid period.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    trial_will_end_sent = models.BooleanField(default=False)
    dunning_blocked = models.BooleanField(
        default=False,
        help_text="Set by dunning: its features are refused now (entitlement checks answer "
        "blocked_by_dunning).",
    )
    dunning_blocked_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Dunning blocks it from this instant: the end of a period already paid, or "
        "the instant its customer entered a blocking state. Empty: not blocked.",
    )
    dunning_block_reason = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True, validators=[validate_metadata])
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["status", "current_period_end"], name="sub_due_idx"),
            models.Index(fields=["customer", "status"], name="sub_customer_idx"),
            models.Index(
                fields=["dunning_blocked_from"],
                name="sub_dunning_pending_idx",
                condition=Q(dunning_blocked=False, dunning_blocked_from__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_period_end__gt=models.F("current_period_start")),
                name="subscription_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer.external_id} on {self.plan.code} ({self.status})"

    @property
    def interval(self) -> periods.Interval:
        plan = self.plan
        return periods.interval(plan.interval_unit, plan.interval_count)

    @property
    def zone(self) -> str:
        return self.customer.timezone

    def period_at(self, instant: datetime) -> periods.Period:
        """The billing period containing `instant` (see billing/lifecycle.py)."""
        return self.state().period_at(instant)

    @property
    def anchor(self) -> date:
        return self.billing_anchor

    def state(self, books: dict[int, lifecycle.PriceBook] | None = None) -> lifecycle.State:
        """What the subscription is now, for the pure rules of billing/lifecycle.py (needs its
        customer, plan and price book loaded). `books`: the price books already read, by plan
        version id (filled here), for a caller that reads the states of many subscriptions while
        the catalog's rows do not change (a chunk of the billing run)."""
        book = None if books is None else books.get(self.plan_version_id)
        if book is None:
            book = self.plan_version.book()
            if books is not None:
                books[self.plan_version_id] = book
        plan = self.plan
        return lifecycle.State(
            id=self.pk,
            customer_id=self.customer_id,
            zone=self.customer.timezone,
            interval=periods.interval(plan.interval_unit, plan.interval_count),
            calendar_aligned=plan.calendar_aligned,
            anchor=self.billing_anchor,
            start_at=self.start_at,
            trial_end=self.trial_end,
            status=self.status,
            quantity=self.quantity,
            book=book,
            period=periods.Period(
                self.current_period_start, self.current_period_end, self.current_period_index
            ),
            fee_since=self.fee_since,
            ends_at=self.ends_at,
            ended_at=self.ended_at,
            cancel_at_period_end=self.cancel_at_period_end,
            phase_start=self.phase_start_period,
        )

    def take(self, state: lifecycle.State, plan_version: PlanVersion | None = None) -> None:
        """Copy a state computed by billing/lifecycle.py onto the row (not saved). The price book
        changes only with `plan_version`, the row of `state.book`."""
        if state.book.id != self.plan_version_id:
            if plan_version is None or plan_version.pk != state.book.id:
                raise ValueError("A new price book needs its row.")
            self.plan_version = plan_version
            self.plan = plan_version.plan
        self.status = state.status
        self.quantity = state.quantity
        self.billing_anchor = state.anchor
        self.trial_end = state.trial_end
        self.current_period_start = state.period.start
        self.current_period_end = state.period.end
        self.current_period_index = state.period.index
        self.fee_since = state.fee_since
        self.ends_at = state.ends_at
        self.ended_at = state.ended_at
        self.cancel_at_period_end = state.cancel_at_period_end
        self.phase_start_period = state.phase_start


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SubscriptionChange(models.Model):
    """A change of plan and/or quantity: applied at once (kept for the timeline) or scheduled."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=13, choices=ChangeKind.choices)
    status = models.CharField(max_length=9, choices=ChangeStatus.choices)
    from_plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    new_plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    applied_plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_quantity = models.PositiveIntegerField()
    from_phase_start_period = models.IntegerField(
        null=True,
        blank=True,
        help_text="The phase walk it changes from (the subscription's phase_start_period then: "
        "empty, its first paid period): a fee in advance billed late is priced at it.",
    )
    new_quantity = models.PositiveIntegerField(null=True, blank=True)
    effective_at = models.DateTimeField()
    prorate = models.BooleanField(default=True)
    phase = models.CharField(
        max_length=7,
        choices=[("same", "the same phase of the new plan"), ("restart", "start its phases over")],
        default="same",
        help_text="A change of plan: where the new plan's phase walk starts.",
    )
    timing = models.CharField(
        max_length=11,
        choices=ChangeTiming.choices,
        blank=True,
        help_text="What decided when it takes effect (empty: recorded before this was kept).",
    )
    policy = models.CharField(
        max_length=11,
        choices=BillingPolicy.choices,
        blank=True,
        help_text="The plan pair's change policy when one applied (or was overridden).",
    )
    reason = models.CharField(max_length=255, blank=True)
    requested_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("effective_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "effective_at"],
                condition=Q(status="scheduled"),
                name="one_scheduled_change_per_instant",
            )
        ]
        indexes = [models.Index(fields=["status", "effective_at"], name="sub_change_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of #{self.subscription_id} at {self.effective_at}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SubscriptionPriceMove(models.Model):
    """A subscription moved onto its plan's new version at a period roll (the clock's
    `subscriptions_roll`: each new period is priced with the version in force at its start).
    Append-only, written in the roll's transaction: with the applied changes, it tells which
    price book was in force at any past instant (`effective_at` is the new period's start)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="price_moves"
    )
    from_plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    to_plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    effective_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("effective_at", "id")
        indexes = [models.Index(fields=["subscription", "effective_at"], name="sub_price_move_idx")]

    def __str__(self) -> str:
        return f"price move of #{self.subscription_id} at {self.effective_at}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SubscriptionPause(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("paused_at",)

    def __str__(self) -> str:
        return f"pause of #{self.subscription_id} from {self.paused_at}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ProrationLine(models.Model):
    """An explained credit or charge waiting for the customer's next invoice."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="proration_lines"
    )
    change = models.ForeignKey(
        SubscriptionChange, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    kind = models.CharField(max_length=6, choices=ProrationKind.choices)
    description = models.CharField(max_length=255)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=28, decimal_places=12, help_text="exact")
    amount_rounded = models.DecimalField(max_digits=20, decimal_places=4)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    explanation = models.JSONField()
    tax_rate = models.ForeignKey(
        "catalog.TaxRate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The rate set on its plan's product or its add-on (null: the address rate).",
    )
    created_at = models.DateTimeField()
    invoiced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(
                fields=["subscription"],
                condition=Q(invoiced_at__isnull=True),
                name="proration_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_rounded} {self.currency}: {self.description}"
