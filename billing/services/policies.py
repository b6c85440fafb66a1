"""Billing policies of plan changes and cancellations (Kill Bill's IMMEDIATE / END_OF_TERM /
ILLEGAL), and the credit of a cancellation by a credit note (Lago) instead of a proration line.

The rules (the README's "Change and cancellation policies"):

- A change from plan A to plan B follows the policy of the pair (A, B) when there is one
  (catalog.PlanChangePolicy). `immediate`: at once (prorated); `end_of_term`: at the end of the
  current period; `illegal`: refused (400 `change_not_allowed` on `plan`). A change asked
  `auto` takes the policy's timing instead of the price heuristic. A change asked `now`,
  `period_end` or on a date that contradicts the policy is refused (400 `contradicts_policy`
  on `when`, naming the policy) — never silently moved. A change of quantity alone, on the same
  plan, is not governed by pair policies. A subscription that has not started yet has no term:
  an `end_of_term` change applies at once to what it will start with; in a trial, the term is
  the trial (an `end_of_term` change takes effect when it ends).
- A plan's `cancellation_policy` decides when a cancellation of its subscriptions takes effect
  in the same way: `immediate`, `end_of_term`, or `illegal` (409 `cancellation_not_allowed`);
  a cancellation that does not say when (`at_period_end` left out) takes the policy's timing
  (without a policy: at once, as before); one that says the contrary is refused.
- Staff may override a policy (the admin's "override the policy" box, with a reason): the
  change or cancellation is then timed as asked and records `override`. Dunning's own
  cancellations override it too (a collection rule of the business, not a request). The API's
  keys cannot override.

Each decision says which rule applied (`Timing`): the change records it (SubscriptionChange
`timing` and `policy`), the preview and the admin's forms show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from billing import proration
from billing.enums import ChangeTiming, SubscriptionStatus
from billing.models import Subscription
from catalog.models import BillingPolicy, Plan
from catalog.selectors import plan_change_policy
from core.audit import Actor
from core.exceptions import Conflict, ValidationFailed

S = SubscriptionStatus
P = BillingPolicy
WORDS = {P.IMMEDIATE: "at once", P.END_OF_TERM: "at the end of the period", P.ILLEGAL: "refused"}


@dataclass(frozen=True)
class Timing:
    """What decided when a change (or a cancellation) takes effect, and a sentence saying so."""

    rule: str  # ChangeTiming
    policy: str = ""  # BillingPolicy of the pair (or the plan's cancellation policy), or ""
    note: str = ""

    @property
    def label(self) -> str:
        return str(dict(ChangeTiming.choices).get(self.rule, self.rule))


def _asked(when: str | datetime) -> str:
    return when.isoformat() if isinstance(when, datetime) else f'"{when}"'


def change_policy_timing(
    sub: Subscription,
    new_plan: Plan,
    as_of: datetime,
    when: str | datetime,
    *,
    override: bool,
    reason: str,
) -> tuple[str | datetime, Timing | None]:
    """The timing a change to `new_plan` takes under the pair's policy: (when, Timing), or
    (when as asked, None) when no policy governs it (the same plan, or a pair without one).
    Raises the refusals of the module's note."""
    if new_plan.pk == sub.plan_id:
        return when, None
    found = plan_change_policy(from_plan_id=sub.plan_id, to_plan_id=new_plan.pk)
    if found is None:
        return when, None
    pair = f"{sub.plan.code} -> {new_plan.code}"
    named = f"the plan change policy {pair} ({found.policy}: {WORDS[P(found.policy)]})"
    if found.policy == P.ILLEGAL:
        if not override:
            raise ValidationFailed(
                f"Changing from {sub.plan.code} to {new_plan.code} is refused by {named}.",
                field="plan",
                code="change_not_allowed",
            )
        _override_reason(reason)
        return when, Timing(ChangeTiming.OVERRIDE, found.policy, f"{named} overridden by staff")
    expected = "now" if found.policy == P.IMMEDIATE or sub.status == S.PENDING else "period_end"
    if when == "auto":
        note = f"{named}"
        if found.policy == P.END_OF_TERM and expected == "now":
            note += "; the subscription has not started: it applies to what it starts with"
        return expected, Timing(ChangeTiming.POLICY, found.policy, note)
    agrees = when == expected or (
        isinstance(when, datetime)
        and when == (as_of if expected == "now" else sub.current_period_end)
    )
    if agrees:
        return when, Timing(ChangeTiming.POLICY, found.policy, named)
    if not override:
        raise ValidationFailed(
            f'A change asked {_asked(when)} contradicts {named}: ask "auto" or "{expected}".',
            field="when",
            code="contradicts_policy",
        )
    _override_reason(reason)
    return when, Timing(ChangeTiming.OVERRIDE, found.policy, f"{named} overridden by staff")


def cancel_policy_timing(
    sub: Subscription, at_period_end: bool | None, *, override: bool, reason: str
) -> tuple[bool, Timing]:
    """Whether a cancellation takes effect at period end under the plan's cancellation policy
    (`at_period_end` None: as the policy says; without one, at once), and the rule that
    decided. Raises the refusals of the module's note."""
    policy = sub.plan.cancellation_policy
    if not policy:
        return bool(at_period_end), Timing(ChangeTiming.REQUESTED, "", "as asked")
    named = f"the cancellation policy of plan {sub.plan.code} ({policy}: {WORDS[P(policy)]})"
    if policy == P.ILLEGAL:
        if not override:
            raise Conflict(
                f"Subscriptions to {sub.plan.code} cannot be canceled: {named}. Staff may set "
                "an end date instead.",
                field="plan",
                code="cancellation_not_allowed",
            )
        _override_reason(reason)
        timing = Timing(ChangeTiming.OVERRIDE, policy, f"{named} overridden")
        return bool(at_period_end), timing
    # a subscription that has not started has no term: it is canceled at once
    expected = policy == P.END_OF_TERM and sub.status != S.PENDING
    if at_period_end is None or at_period_end == expected:
        return expected, Timing(ChangeTiming.POLICY, policy, named)
    if not override:
        asked = "at period end" if at_period_end else "at once"
        raise ValidationFailed(
            f"A cancellation {asked} contradicts {named}: leave at_period_end out, or set it "
            f"to {str(expected).lower()}.",
            field="at_period_end",
            code="contradicts_policy",
        )
    _override_reason(reason)
    return at_period_end, Timing(ChangeTiming.OVERRIDE, policy, f"{named} overridden")


def end_policy_check(sub: Subscription, ends_at: datetime, *, override: bool) -> None:
    """An end date set on a subscription is a cancellation in effect: the plan's cancellation
    policy applies to it as to a cancellation. `illegal`: refused, whatever the date (409
    `cancellation_not_allowed`); `end_of_term`: an end before the current period's end (the
    trial's, in a trial) is refused (400 `contradicts_policy` on `ends_at`), one at or after it
    is allowed (a subscription not started has no term). `override`: staff (the admin's end
    date) and the import of a history set it as asked."""
    policy = sub.plan.cancellation_policy
    if not policy or override:
        return
    named = f"the cancellation policy of plan {sub.plan.code} ({policy}: {WORDS[P(policy)]})"
    if policy == P.ILLEGAL:
        raise Conflict(
            f"Subscriptions to {sub.plan.code} cannot be canceled, nor given an end date: "
            f"{named}. Staff may set an end date instead.",
            field="ends_at",
            code="cancellation_not_allowed",
        )
    term_end = sub.current_period_end
    if policy == P.END_OF_TERM and sub.status != S.PENDING and ends_at < term_end:
        raise ValidationFailed(
            f"An end date at {ends_at.isoformat()} is a cancellation before the end of the "
            f"period ({term_end.isoformat()}), which contradicts {named}: end it at "
            f"{term_end.isoformat()} or later.",
            field="ends_at",
            code="contradicts_policy",
        )


def _override_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationFailed(
            "Overriding a plan's policy needs a reason.", field="reason", code="required"
        )


# ------------------------------------------------------------------- cancellation credit

# Invoicing registers here (at start-up) how a cancellation's credit is settled by a credit note
# on the invoice that billed the fee in advance (a higher layer tells this one, as with the
# catch-up): called in the cancellation's transaction with the subscription (locked, canceled)
# and the cancellation's proration lines; it returns the lines left for the next invoice (those
# it could not credit, their explanation saying why).
CancelCredit = Callable[
    [Subscription, Sequence[proration.Line], datetime, Actor], list[proration.Line]
]
_cancel_credit: list[CancelCredit] = []


def register_cancel_credit(func: CancelCredit) -> None:
    if func not in _cancel_credit:
        _cancel_credit.append(func)


def cancel_credit(
    sub: Subscription, lines: Sequence[proration.Line], as_of: datetime, actor: Actor
) -> list[proration.Line]:
    """A cancellation's proration lines under a price book whose `cancellation_credit` is
    `credit_note`: those credited by a credit note are taken off (see `register_cancel_credit`)."""
    left = list(lines)
    for func in _cancel_credit:
        left = func(sub, left, as_of, actor)
    return left
