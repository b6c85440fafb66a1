from django.db import models


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending"  # starts in the future
    TRIALING = "trialing"
    ACTIVE = "active"
    PAUSED = "paused"
    PAST_DUE = "past_due", "past due"
    CANCELED = "canceled"  # ended by a cancellation
    ENDED = "ended"  # reached its set end date


S = SubscriptionStatus
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.TRIALING, S.ACTIVE, S.CANCELED},
    S.TRIALING: {S.ACTIVE, S.PAUSED, S.PAST_DUE, S.CANCELED, S.ENDED},
    S.ACTIVE: {S.PAUSED, S.PAST_DUE, S.CANCELED, S.ENDED},
    S.PAST_DUE: {S.ACTIVE, S.PAUSED, S.CANCELED, S.ENDED},
    S.PAUSED: {S.ACTIVE, S.TRIALING, S.CANCELED, S.ENDED},
    S.CANCELED: set(),
    S.ENDED: set(),
}
TERMINAL = {S.CANCELED, S.ENDED}
ENTITLED = {S.TRIALING, S.ACTIVE, S.PAST_DUE}


class ChangeKind(models.TextChoices):
    PLAN = "plan", "plan change"
    QUANTITY = "quantity", "quantity change"
    PLAN_AND_QUANTITY = "plan_quantity", "plan and quantity change"


class ChangeTiming(models.TextChoices):
    """What decided when a change of plan or quantity takes effect."""

    REQUESTED = "requested", "as asked (now, at period end or on a date)"
    UPGRADE = "upgrade", "automatic: an upgrade, at once"
    DOWNGRADE = "downgrade", "automatic: a downgrade, at period end"
    NOT_STARTED = "not_started", "automatic: in a trial or before the start, at once"
    POLICY = "policy", "the plan pair's change policy"
    OVERRIDE = "override", "as asked by staff, overriding the plan pair's policy"


class ChangeStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    APPLIED = "applied"
    CANCELED = "canceled"


class ProrationKind(models.TextChoices):
    CREDIT = "credit"
    CHARGE = "charge"
    ADD_ON = "add_on", "add-on"
