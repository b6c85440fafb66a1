"""Dunning policies and their states, the default policy, and a customer's assignment.

A policy is written whole: its fields and, when given, the full list of its states (in the
order of their positions). States are matched by `code`: a state whose code is kept is updated
in place (customers in it stay in it), a new code adds a state, a code left out removes its
state (refused while customers are in it). A position left out is the state's place in the list
(1, 2, 3 ...). Past transitions keep their own copies of names, codes and actions, so no edit
rewrites them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.text import slugify

from billing.services import journal_write, locked_customer
from catalog.money import quantize
from catalog.validators import validate_currency
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed
from invoicing.models import Invoice, InvoiceStatus
from payments.models.dunning import (
    DUNNING_TEMPLATES,
    MAX_ATTEMPTS,
    MAX_DAYS,
    NO_CONDITION,
    ActionWhen,
    CustomerDunning,
    DunningPolicy,
    DunningState,
    SubscriptionAction,
)

MAX_STATES = 20
OVERDUE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)
AMOUNT_MAX = Decimal("1000000000000")
POLICY_FIELDS = ("name", "description", "is_default")
STATE_FIELDS = (
    "position", "code", "name", "min_days_past_due", "min_amount_overdue", "amount_currency",
    "min_failed_attempts", "email_template", "block_entitlements", "refuse_plan_changes",
    "subscription_action", "subscription_action_when", "mark_uncollectible", "publish_event",
)  # fmt: skip
STATE_DEFAULTS: dict[str, Any] = {
    "min_days_past_due": None, "min_amount_overdue": None, "amount_currency": "",
    "min_failed_attempts": None, "email_template": "", "block_entitlements": False,
    "refuse_plan_changes": False, "subscription_action": SubscriptionAction.NONE,
    "subscription_action_when": ActionWhen.IMMEDIATELY, "mark_uncollectible": False,
    "publish_event": True,
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# checks (pure): every refusal names its field, states[i].field for a state's


def _text(raw: Mapping[str, Any], key: str, field: str, *, limit: int, required: bool) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed("A text is expected.", field=field, code="invalid")
    value = value.strip()
    if required and not value:
        raise ValidationFailed("This field is required.", field=field, code="required")
    if len(value) > limit:
        raise ValidationFailed(f"At most {limit} characters.", field=field, code="max_length")
    return value


def _whole(value: Any, field: str, *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("A whole number is expected.", field=field, code="invalid")
    if not low <= value <= high:
        raise ValidationFailed(
            f"Between {low} and {high} ({value} given).", field=field, code="out_of_range"
        )
    return value


def _flag(value: Any, field: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationFailed("true or false is expected.", field=field, code="invalid")
    return value


def _choice(value: Any, field: str, allowed: Sequence[str], default: str) -> str:
    if value is None:
        return default
    if value not in allowed:
        raise ValidationFailed(
            f"{value!r} is not one of: {', '.join(repr(a) for a in allowed)}.",
            field=field,
            code="invalid_choice",
        )
    return str(value)


def _amount(value: Any, currency: str, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise ValidationFailed(
            'An amount is a decimal string such as "100.00".', field=field, code="invalid"
        )
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(
            f"{value!r} is not an amount.", field=field, code="invalid"
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("The amount must be positive.", field=field, code="min_value")
    if amount >= AMOUNT_MAX:
        raise ValidationFailed(f"Below {AMOUNT_MAX:,}.", field=field, code="max_value")
    if amount != amount.quantize(Decimal("0.0001")):
        raise ValidationFailed("At most 4 decimals.", field=field, code="decimals")
    if currency and quantize(amount, currency) != amount:
        raise ValidationFailed(
            f"{amount} has more decimals than {currency} allows.", field=field, code="decimals"
        )
    return amount


def checked_state(raw: Any, index: int) -> dict[str, Any]:
    """One state of a policy as given (API, admin), checked; its fields ready to save."""
    at = f"states[{index}]"
    if not isinstance(raw, Mapping):
        raise ValidationFailed("A state is an object.", field=at, code="invalid")
    unknown = sorted(set(raw) - set(STATE_FIELDS) - {"id"})
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}.", field=f"{at}.{unknown[0]}", code="unknown"
        )
    out: dict[str, Any] = {}
    out["position"] = _whole(raw.get("position"), f"{at}.position", low=1, high=100) or index + 1
    name = _text(raw, "name", f"{at}.name", limit=100, required=True)
    code = _text(raw, "code", f"{at}.code", limit=50, required=False) or slugify(name)
    if not code or slugify(code) != code:
        raise ValidationFailed(
            "A code is lower-case letters, digits, - and _ (e.g. warning).",
            field=f"{at}.code",
            code="invalid",
        )
    out["name"], out["code"] = name, code
    out["min_days_past_due"] = _whole(
        raw.get("min_days_past_due"), f"{at}.min_days_past_due", low=0, high=MAX_DAYS
    )
    out["min_failed_attempts"] = _whole(
        raw.get("min_failed_attempts"), f"{at}.min_failed_attempts", low=1, high=MAX_ATTEMPTS
    )
    currency = _text(
        raw, "amount_currency", f"{at}.amount_currency", limit=3, required=False
    ).upper()  # ISO 4217 codes are upper case: "eur" is EUR (customers' currencies are)
    if currency:
        try:
            validate_currency(currency)
        except ValidationError as exc:
            raise ValidationFailed(
                exc.messages[0], field=f"{at}.amount_currency", code="unknown_currency"
            ) from None
    out["amount_currency"] = currency
    out["min_amount_overdue"] = _amount(
        raw.get("min_amount_overdue"), currency, f"{at}.min_amount_overdue"
    )
    if currency and out["min_amount_overdue"] is None:
        raise ValidationFailed(
            "A currency goes with a minimum amount overdue.",
            field=f"{at}.amount_currency",
            code="currency_without_amount",
        )
    if all(
        out[k] is None for k in ("min_days_past_due", "min_amount_overdue", "min_failed_attempts")
    ):
        raise ValidationFailed(
            NO_CONDITION,
            field=f"{at}.min_days_past_due",
            code="no_condition",
        )
    out["email_template"] = _choice(
        raw.get("email_template") or "", f"{at}.email_template", ("", *DUNNING_TEMPLATES), ""
    )
    for flag in ("block_entitlements", "refuse_plan_changes", "mark_uncollectible"):
        out[flag] = _flag(raw.get(flag), f"{at}.{flag}", False)
    out["publish_event"] = _flag(raw.get("publish_event"), f"{at}.publish_event", True)
    out["subscription_action"] = _choice(
        raw.get("subscription_action"), f"{at}.subscription_action",
        SubscriptionAction.values, SubscriptionAction.NONE,
    )  # fmt: skip
    out["subscription_action_when"] = _choice(
        raw.get("subscription_action_when"), f"{at}.subscription_action_when",
        ActionWhen.values, ActionWhen.IMMEDIATELY,
    )  # fmt: skip
    return out


def checked_states(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list | tuple):
        raise ValidationFailed("states is a list of states.", field="states", code="not_a_list")
    if len(raw) > MAX_STATES:
        raise ValidationFailed(f"At most {MAX_STATES} states.", field="states", code="too_many")
    states = [checked_state(s, i) for i, s in enumerate(raw)]
    for i, state in enumerate(states):
        for key in ("position", "code"):
            if any(other[key] == state[key] for other in states[:i]):
                raise ValidationFailed(
                    f"Two states have the {key} {state[key]!r}.",
                    field=f"states[{i}].{key}",
                    code="duplicate",
                )
    return states


def _checked_policy(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - {*POLICY_FIELDS, "states"})
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}.", field=unknown[0], code="unknown"
        )
    out: dict[str, Any] = {}
    if not partial or "name" in data:
        out["name"] = _text(data, "name", "name", limit=100, required=True)
    if not partial or "description" in data:
        out["description"] = _text(data, "description", "description", limit=2000, required=False)
    if not partial or "is_default" in data:
        out["is_default"] = _flag(data.get("is_default"), "is_default", False)
    if not partial or "states" in data:
        out["states"] = checked_states(data.get("states", []))
    return out


# ---------------------------------------------------------------------------------------------
# writes


def _snapshot(policy: DunningPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "is_default": policy.is_default,
        "states": [
            {f: str(v) if isinstance(v := getattr(s, f), Decimal) else v for f in STATE_FIELDS}
            for s in policy.states.order_by("position")
        ],
    }


def _journal(kind: str, policy: DunningPolicy, actor: Actor, as_of: datetime) -> None:
    journal_write(
        type=f"dunning_policy.{kind}",
        subject_type="dunning_policy",
        subject_id=policy.pk,
        payload=_snapshot(policy),
        actor=actor,
        occurred_at=as_of,
    )


def _name_free(name: str, policy_id: int | None) -> None:
    others = DunningPolicy.objects.filter(name=name)
    if policy_id is not None:
        others = others.exclude(pk=policy_id)
    if others.exists():
        raise Conflict(f"A policy named {name!r} exists.", field="name", code="duplicate")


def _take_default(policy: DunningPolicy) -> None:
    """Make `policy` the default (the previous default stops being it)."""
    DunningPolicy.objects.select_for_update().filter(is_default=True).exclude(pk=policy.pk).update(
        is_default=False
    )


def _write_states(policy: DunningPolicy, states: list[dict[str, Any]]) -> None:
    existing = {s.code: s for s in DunningState.objects.select_for_update().filter(policy=policy)}
    wanted = {s["code"] for s in states}
    for code, state in existing.items():
        if code in wanted:
            continue
        if CustomerDunning.objects.filter(state=state).exists():
            index = next((i for i, s in enumerate(states) if s["code"] == code), len(states))
            raise Conflict(
                f"Customers are in the state {state.name!r}: it cannot be removed until they "
                "leave it (keep it, or change its conditions).",
                field=f"states[{index}]" if index < len(states) else "states",
                code="state_in_use",
            )
        state.delete()
    for fields in states:
        kept = existing.get(fields["code"])
        if kept is None:
            DunningState.objects.create(policy=policy, **fields)
            continue
        changed = [f for f in STATE_FIELDS if getattr(kept, f) != fields[f]]
        if changed:
            for f in changed:
                setattr(kept, f, fields[f])
            kept.save(update_fields=changed)


def _customers_due_now(policy: DunningPolicy, *, default_changed: bool, as_of: datetime) -> int:
    """Make the customers the edited policy applies to due at the clock's next tick (one
    set-based UPDATE): those in its states, those assigned it, and, when the default changed,
    those without a policy of their own; only those in a state or with something overdue (the
    others have nothing the edit could change). Their next evaluation applies the edit (blocks,
    refused plan changes, next check); past transitions are never rewritten."""
    applies = Q(state__policy=policy) | Q(policy=policy)
    if default_changed:
        applies |= Q(policy__isnull=True)
    overdue = Invoice.objects.filter(
        customer_id=OuterRef("customer_id"), status__in=OVERDUE, amount_due__gt=0,
        due_at__lt=as_of,
    )  # fmt: skip
    return (
        CustomerDunning.objects.filter(applies)
        .filter(Q(state__isnull=False) | Exists(overdue))
        .exclude(next_check_at__lte=as_of)
        .update(next_check_at=as_of, updated_at=as_of)
    )


def dunning_policy_create(
    *, data: Mapping[str, Any], actor: Actor, as_of: datetime, reason: str = ""
) -> DunningPolicy:
    """A new policy with its states (`states`: a list, in the order of their positions)."""
    checked = _checked_policy(data, partial=False)
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "dunning policy created"),
    ):
        _name_free(checked["name"], None)
        policy = DunningPolicy(
            name=checked["name"], description=checked["description"],
            is_default=checked["is_default"], created_at=as_of, updated_at=as_of,
        )  # fmt: skip
        if policy.is_default:
            _take_default(policy)
        policy.save()
        _write_states(policy, checked["states"])
        if policy.is_default:
            _customers_due_now(policy, default_changed=True, as_of=as_of)
        _journal("created", policy, actor, as_of)
    return policy


def dunning_policy_update(
    *, policy_id: int, data: Mapping[str, Any], actor: Actor, as_of: datetime, reason: str = ""
) -> DunningPolicy:
    """Change a policy: the fields given; `states`, when given, is its full new list."""
    checked = _checked_policy(data, partial=True)
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "dunning policy changed"),
    ):
        policy = DunningPolicy.objects.select_for_update().filter(pk=policy_id).first()
        if policy is None:
            raise NotFound(f"No dunning policy with id {policy_id}.")
        if "name" in checked:
            _name_free(checked["name"], policy.pk)
        was_default = policy.is_default
        for f in POLICY_FIELDS:
            if f in checked:
                setattr(policy, f, checked[f])
        if policy.is_default:
            _take_default(policy)
        policy.updated_at = as_of
        policy.save()
        if "states" in checked:
            _write_states(policy, checked["states"])
        if "states" in checked or was_default != policy.is_default:
            _customers_due_now(
                policy, default_changed=was_default or policy.is_default, as_of=as_of
            )
        _journal("updated", policy, actor, as_of)
    return policy


def dunning_policy_delete(
    *, policy_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> None:
    """Remove a policy no customer is assigned to nor in a state of. Its transitions stay
    (with their copies of its names)."""
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "dunning policy deleted"),
    ):
        policy = DunningPolicy.objects.select_for_update().filter(pk=policy_id).first()
        if policy is None:
            raise NotFound(f"No dunning policy with id {policy_id}.")
        assigned = CustomerDunning.objects.filter(policy=policy).count()
        if assigned:
            raise Conflict(
                f"{assigned} customer(s) are assigned this policy: assign them another first.",
                field="policy",
                code="policy_in_use",
            )
        inside = CustomerDunning.objects.filter(state__policy=policy).count()
        if inside:
            raise Conflict(
                f"{inside} customer(s) are in a state of this policy.",
                field="policy",
                code="policy_in_use",
            )
        _journal("deleted", policy, actor, as_of)
        policy.delete()


def default_policy() -> DunningPolicy | None:
    return DunningPolicy.objects.filter(is_default=True).first()


def customer_dunning_assign(
    *, customer_id: int, policy_id: int | None, actor: Actor, as_of: datetime, reason: str = ""
) -> CustomerDunning:
    """Give the customer its own policy (None: the default again), then evaluate it at once
    under the new policy (a state of the old one is left or moved, with its transition)."""
    from payments.services.dunning import evaluate_locked

    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "dunning policy assigned"),
    ):
        customer = locked_customer(customer_id, field="customer")
        policy = None
        if policy_id is not None:
            policy = DunningPolicy.objects.filter(pk=policy_id).first()
            if policy is None:
                raise NotFound(f"No dunning policy with id {policy_id}.", field="policy")
        from payments.services.dunning import record_of

        record = record_of(customer, as_of)
        if record.policy_id != policy_id:
            record.policy = policy
            record.updated_at = as_of
            record.save(update_fields=["policy", "updated_at"])
            journal_write(
                type="customer.dunning_policy_assigned",
                subject_type="customer",
                subject_id=customer.pk,
                payload={"policy": policy_id, "policy_name": policy.name if policy else "",
                         "reason": reason},
                actor=actor,
                occurred_at=as_of,
            )  # fmt: skip
        evaluate_locked(customer, as_of=as_of, actor=actor, cause="policy assigned")
    record.refresh_from_db()
    return record
