"""Who acts, and the audit context that travels with every change.

Every service takes an `actor`. `audit_context` wraps a service's transaction so that the history
rows pghistory writes (by database triggers, in the same transaction) carry who acted and why.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pghistory
from django.db.models import ForeignKey, Model
from django.utils.module_loading import import_string
from pghistory.models import Events

ActorKind = Literal["user", "api_key", "system", "customer"]  # customer: a portal session


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str
    label: str

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(kind="system", id=name, label=f"system:{name}")

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        return cls(kind="user", id=str(user.pk), label=user.get_username())

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "label": self.label}


CLOCK = Actor.system("clock")


@contextlib.contextmanager
def audit_context(*, actor: Actor, reason: str = "", **extra: Any) -> Iterator[None]:
    with pghistory.context(actor=actor.label, actor_kind=actor.kind, actor_id=actor.id, **extra):
        if reason:
            with pghistory.context(reason=reason):
                yield
        else:
            yield


def history_rows(obj: Model) -> list[dict[str, Any]]:
    """The object's audit events, oldest first, each with who, why and what changed."""
    rows = []
    for event in Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"):
        context = event.pgh_context or {}
        who = context.get("actor") or (
            f"user #{context['user']}" if context.get("user") else "database (no context)"
        )
        diff = event.pgh_diff or {}
        rows.append(
            {
                "when": event.pgh_created_at,
                "label": event.pgh_label,
                "who": who,
                "actor_kind": context.get("actor_kind", ""),
                "actor_id": context.get("actor_id", ""),
                "why": context.get("reason", ""),
                "url": context.get("url", ""),
                "changes": [
                    {"field": field, "old": change[0], "new": change[1]}
                    for field, change in sorted(diff.items())
                ]
                if event.pgh_label != "insert"
                else [{"field": k, "old": "", "new": v} for k, v in sorted(event.pgh_data.items())],
            }
        )
    return rows


def history_references_unindexed(model: type[Model], *names: str) -> dict[str, Any]:
    """`attrs` for `pghistory.track`: the history copies of these foreign keys of `model`
    without the index pghistory gives them by default. An index on a history table pays for
    itself only when rows are looked up by that column: the audit trail reads a row's history
    by `pgh_obj` (kept indexed) and a customer's by the foreign keys to the customer, so the
    other references of a high-volume table (the invoice lines: 30,000 history rows a billing
    run of 10,000 invoices, 7 such indexes a quarter of their COPY's cost) go unindexed."""
    attrs: dict[str, Any] = {}
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, ForeignKey), f"{model.__name__}.{name} is not a foreign key"
        field = copy.deepcopy(field)
        field.swappable = False  # type: ignore[attr-defined]  # as pghistory: no model lookup
        _, path, args, kwargs = field.deconstruct()
        kwargs.update(pghistory.ForeignKey(db_index=False).kwargs)
        attrs[name] = import_string(path)(*args, **kwargs)
    return attrs
