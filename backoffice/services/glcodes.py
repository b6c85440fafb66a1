"""The general ledger's account codes: finance staff map each of our ledger accounts to the
code (and name) of their chart of accounts once; the ledger export writes them on every line.
Each service is one durable transaction with its audit context and journal event."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from backoffice.models import GlAccountCode
from billing.models.ledger import LedgerAccount
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed

SUBJECT = "gl_account_code"
CODE_MAX = 40
NAME_MAX = 255


def _code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("The general ledger's code of the account.", field="code",
                               code="required")  # fmt: skip
    if len(code) > CODE_MAX:
        raise ValidationFailed(f"At most {CODE_MAX} characters.", field="code")
    if any(ch in code for ch in "\r\n\t"):
        raise ValidationFailed("One line, no tabs.", field="code")
    return code


def _name(name: str) -> str:
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"At most {NAME_MAX} characters.", field="name")
    return name


def _snapshot(mapping: GlAccountCode) -> dict[str, object]:
    return {"account": mapping.account, "code": mapping.code, "name": mapping.name}


def _locked(mapping_id: int) -> GlAccountCode:
    found = GlAccountCode.objects.select_for_update().filter(pk=mapping_id).first()
    if found is None:
        raise NotFound(f"No general ledger account code {mapping_id}.")
    return found


def gl_code_create(
    *, account: str, code: str, name: str = "", actor: Actor, as_of: datetime
) -> GlAccountCode:
    """Map one of our ledger accounts (`LedgerAccount`) to its general ledger code. An account
    is mapped once (409 `already_mapped`: change the mapping instead)."""
    if account not in LedgerAccount.values:
        raise ValidationFailed(
            f"Unknown ledger account {account!r}: one of {', '.join(LedgerAccount.values)}.",
            field="account",
        )
    code, name = _code(code), _name(name)
    with (
        audit_context(actor=actor, reason="general ledger code mapped"),
        transaction.atomic(durable=True),
    ):
        if GlAccountCode.objects.filter(account=account).exists():
            raise Conflict(
                f"The account {account} is already mapped: change its mapping.",
                field="account",
                code="already_mapped",
            )
        try:
            with transaction.atomic():
                mapping = GlAccountCode.objects.create(
                    account=account, code=code, name=name, updated_at=as_of
                )
        except IntegrityError:  # mapped by someone else meanwhile
            raise Conflict(
                f"The account {account} is already mapped: change its mapping.",
                field="account",
                code="already_mapped",
            ) from None
        journal_write(
            type="gl_account_code.created",
            subject_type=SUBJECT,
            subject_id=mapping.pk,
            payload=_snapshot(mapping),
            actor=actor,
            occurred_at=as_of,
        )
    return mapping


def gl_code_update(
    *,
    mapping_id: int,
    code: str | None = None,
    name: str | None = None,
    actor: Actor,
    as_of: datetime,
) -> GlAccountCode:
    """Change a mapping's code or name (the fields given); the account it maps stays (delete the
    mapping and map the account again). Exports written before keep the codes they had."""
    new_code = None if code is None else _code(code)
    new_name = None if name is None else _name(name)
    with (
        audit_context(actor=actor, reason="general ledger code changed"),
        transaction.atomic(durable=True),
    ):
        mapping = _locked(mapping_id)
        changes: dict[str, list[str]] = {}
        if new_code is not None and new_code != mapping.code:
            changes["code"] = [mapping.code, new_code]
            mapping.code = new_code
        if new_name is not None and new_name != mapping.name:
            changes["name"] = [mapping.name, new_name]
            mapping.name = new_name
        if not changes:
            return mapping
        mapping.updated_at = as_of
        mapping.save(update_fields=["code", "name", "updated_at"])
        journal_write(
            type="gl_account_code.updated",
            subject_type=SUBJECT,
            subject_id=mapping.pk,
            payload={**_snapshot(mapping), "changes": changes},
            actor=actor,
            occurred_at=as_of,
        )
    return mapping


def gl_code_delete(*, mapping_id: int, actor: Actor, as_of: datetime) -> None:
    """Remove a mapping: the account's ledger lines export with an empty code again (and the
    export's job warns), until it is mapped anew."""
    with (
        audit_context(actor=actor, reason="general ledger code removed"),
        transaction.atomic(durable=True),
    ):
        mapping = _locked(mapping_id)
        snapshot = _snapshot(mapping)
        pk = mapping.pk
        mapping.delete()
        journal_write(
            type="gl_account_code.deleted",
            subject_type=SUBJECT,
            subject_id=pk,
            payload=snapshot,
            actor=actor,
            occurred_at=as_of,
        )


def gl_codes() -> dict[str, tuple[str, str]]:
    """Every mapping: account -> (code, name)."""
    return {a: (c, n) for a, c, n in GlAccountCode.objects.values_list("account", "code", "name")}
