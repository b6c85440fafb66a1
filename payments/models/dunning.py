"""Dunning: what happens to a customer whose invoices are overdue (Kill Bill's overdue states).

A `DunningPolicy` is an ordered list of `DunningState`s. Each state has entry conditions (all of
those set must hold) and actions. The customer is in the state of highest position whose
conditions hold (none: it is in no state). `CustomerDunning` holds a customer's assignment (its
policy; empty: the default policy) and where it is now; every change of state is one
`DunningTransition`, with a frozen copy of what the state was and did, so that editing or
deleting a policy never rewrites the history. Rules: payments.services.dunning.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from billing.models import Customer, Subscription
from catalog.models import tracked
from invoicing.models import Invoice

# the e-mail templates a state may send (the notifications app provides exactly these)
DUNNING_TEMPLATES = (
    "dunning_reminder",
    "dunning_warning",
    "dunning_suspension",
    "dunning_cancellation",
)
TEMPLATE_CHOICES = [(t, t.replace("_", " ")) for t in DUNNING_TEMPLATES]
MAX_DAYS = 3650
MAX_ATTEMPTS = 100
NO_CONDITION = (
    "A state needs at least one condition: days past due, amount overdue or failed payment "
    "attempts."
)


class SubscriptionAction(models.TextChoices):
    NONE = "none", "nothing"
    PAUSE = "pause", "pause"
    CANCEL = "cancel", "cancel"


class ActionWhen(models.TextChoices):
    IMMEDIATELY = "immediately", "immediately"
    PERIOD_END = "period_end", "at the end of the current period"


@tracked()
class DunningPolicy(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Applies to every customer without a policy of its own."
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "dunning policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_dunning"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (default)" if self.is_default else self.name


@tracked()
class DunningState(models.Model):
    """A step of a policy: entered when every condition set holds (and something is overdue);
    the highest position whose conditions hold wins."""

    policy = models.ForeignKey(DunningPolicy, on_delete=models.CASCADE, related_name="states")
    position = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="1 is the mildest; a higher position is a later, harsher state.",
    )
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    # conditions (all those set must hold; at least one set)
    min_days_past_due = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_DAYS)],
        help_text="days past the due date of the oldest unpaid invoice, in the customer's "
        "time zone",
    )  # fmt: skip
    min_amount_overdue = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True,
        help_text="total overdue at least this much, in the customer's currency",
    )  # fmt: skip
    amount_currency = models.CharField(
        max_length=3, blank=True,
        help_text="empty: the amount is read in each customer's own currency; a code (EUR): "
        "the amount condition holds only for customers billed in that currency",
    )  # fmt: skip
    min_failed_attempts = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_ATTEMPTS)],
        help_text="failed automatic payments of the overdue invoices",
    )  # fmt: skip
    # actions
    email_template = models.CharField(
        max_length=40, blank=True, choices=TEMPLATE_CHOICES,
        help_text="e-mail sent to the customer on entering the state (empty: none)",
    )  # fmt: skip
    block_entitlements = models.BooleanField(
        default=False,
        help_text="while in the state, subscriptions lose their features (a period already "
        "paid keeps them until it ends)",
    )
    refuse_plan_changes = models.BooleanField(
        default=False, help_text="while in the state, plan and quantity changes are refused"
    )
    subscription_action = models.CharField(
        max_length=6, choices=SubscriptionAction.choices, default=SubscriptionAction.NONE,
        help_text="done once, on entering the state",
    )  # fmt: skip
    subscription_action_when = models.CharField(
        max_length=11, choices=ActionWhen.choices, default=ActionWhen.IMMEDIATELY
    )
    mark_uncollectible = models.BooleanField(
        default=False, help_text="on entering, write the overdue invoices off (uncollectible)"
    )
    publish_event = models.BooleanField(
        default=True, help_text="publish the transition to webhooks (dunning.state_entered)"
    )

    class Meta:
        ordering = ("policy", "position")
        constraints = [
            # deferred: a policy's states are renumbered in one transaction
            models.UniqueConstraint(
                fields=["policy", "position"],
                name="dunning_state_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["policy", "code"],
                name="dunning_state_code",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(min_days_past_due__isnull=False)
                | Q(min_amount_overdue__isnull=False)
                | Q(min_failed_attempts__isnull=False),
                name="dunning_state_has_condition",
                violation_error_message=NO_CONDITION,
            ),
            models.CheckConstraint(
                condition=Q(min_amount_overdue__isnull=True) | Q(min_amount_overdue__gt=0),
                name="dunning_state_amount_positive",
                violation_error_message="The minimum amount overdue must be positive.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


@tracked()
class CustomerDunning(models.Model):
    """A customer's dunning: its policy (empty: the default one) and its state now."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="dunning")
    policy = models.ForeignKey(
        DunningPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="customers",
        help_text="empty: the default policy",
    )  # fmt: skip
    state = models.ForeignKey(
        DunningState, on_delete=models.PROTECT, null=True, blank=True, related_name="customers",
        help_text="the state it is in now (empty: none)",
    )  # fmt: skip
    entered_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(
        null=True, blank=True, help_text="the instant it was last evaluated for"
    )
    next_check_at = models.DateTimeField(
        null=True, blank=True,
        help_text="when the days past due reach the next state's (the clock looks again then)",
    )  # fmt: skip
    oldest_due_at = models.DateTimeField(
        null=True, blank=True,
        help_text="the due date of the oldest overdue invoice it was last evaluated with",
    )  # fmt: skip
    transitions_count = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "customer dunning"
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="dunning_next_check_idx",
            )
        ]

    def __str__(self) -> str:
        return f"dunning of {self.customer_id}"


class Direction(models.TextChoices):
    UP = "up", "entered (harsher)"
    DOWN = "down", "moved down (partly paid)"
    SAME = "same", "same state, another policy"
    CLEARED = "cleared", "left dunning"


@tracked()
class DunningTransition(models.Model):
    """One change of a customer's dunning state, once. Immutable; names, codes and actions are
    copies of what they were at the time (the policy may change or go later)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="dunning_transitions"
    )
    sequence = models.PositiveIntegerField(help_text="1, 2, 3 ... per customer")
    direction = models.CharField(max_length=7, choices=Direction.choices)
    policy = models.ForeignKey(
        DunningPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    policy_name = models.CharField(max_length=100)
    from_state = models.ForeignKey(
        DunningState, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_code = models.CharField(max_length=50, blank=True)
    from_name = models.CharField(max_length=100, blank=True)
    from_position = models.PositiveSmallIntegerField(null=True, blank=True)
    to_state = models.ForeignKey(
        DunningState, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_code = models.CharField(max_length=50, blank=True)
    to_name = models.CharField(max_length=100, blank=True)
    to_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # what the state entered did (copies; empty on a clearing)
    email_template = models.CharField(max_length=40, blank=True, help_text="sent: empty on a "
                                      "move down or a clearing")  # fmt: skip
    block_entitlements = models.BooleanField(default=False)
    refuse_plan_changes = models.BooleanField(default=False)
    subscription_action = models.CharField(
        max_length=6, choices=SubscriptionAction.choices, default=SubscriptionAction.NONE
    )
    subscription_action_when = models.CharField(
        max_length=11, choices=ActionWhen.choices, default=ActionWhen.IMMEDIATELY
    )
    mark_uncollectible = models.BooleanField(default=False)
    publish_event = models.BooleanField(default=True)
    # what caused it
    reason = models.CharField(max_length=255)
    days_past_due = models.PositiveIntegerField(default=0)
    amount_overdue = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))
    currency = models.CharField(max_length=3)
    failed_attempts = models.PositiveIntegerField(default=0)
    invoices = models.ManyToManyField(Invoice, related_name="dunning_transitions", blank=True)
    subscriptions_changed = ArrayField(
        models.BigIntegerField(), default=list, blank=True,
        help_text="subscriptions whose block changed with it",
    )  # fmt: skip
    as_of = models.DateTimeField()
    actor = models.CharField(max_length=255)

    class Meta:
        ordering = ("-as_of", "-sequence")
        constraints = [
            models.UniqueConstraint(fields=["customer", "sequence"], name="dunning_transition_once")
        ]
        indexes = [models.Index(fields=["customer", "as_of"], name="dunning_transition_idx")]

    def __str__(self) -> str:
        frm = self.from_name or "none"
        to = self.to_name or "none"
        return f"{frm} -> {to} at {self.as_of:%Y-%m-%d %H:%M}"


class ActionKind(models.TextChoices):
    PAUSE = "pause"
    CANCEL = "cancel"
    CANCEL_AT_PERIOD_END = "cancel_end", "cancel at period end"
    MARK_UNCOLLECTIBLE = "uncollect", "mark uncollectible"
    UNDO_CANCEL_AT_PERIOD_END = "uncancel", "undo cancel at period end"


class ActionStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"  # nothing to do when it came (already paused, paid ...)
    CANCELED = "canceled"  # the customer left the state first


@tracked()
class DunningAction(models.Model):
    """An entry action that an owner's durable service carries out after the transition's
    commit (billing pauses and cancels, invoicing writes off): one row per transition and
    target, so it is done once. `due_at` later than the transition: at the period's end."""

    transition = models.ForeignKey(
        DunningTransition, on_delete=models.PROTECT, related_name="actions"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ActionKind.choices)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undoes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="undone_by",
        help_text="The cancellation at period end dunning set, that this action undoes.",
    )
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=8, choices=ActionStatus.choices, default=ActionStatus.PENDING
    )
    outcome = models.CharField(max_length=255, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("due_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["transition", "kind", "subscription", "invoice"],
                name="dunning_action_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(subscription__isnull=False) | Q(invoice__isnull=False),
                name="dunning_action_has_target",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="dunning_action_due_idx"
            )
        ]

    def __str__(self) -> str:
        target = f"#{self.subscription_id}" if self.subscription_id else f"inv {self.invoice_id}"
        return f"{self.get_kind_display()} {target} ({self.status})"
