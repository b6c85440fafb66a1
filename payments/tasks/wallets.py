"""Celery tasks: wallets (thin wrappers around payments.services.wallets). The clock's tick calls
the wallets' hook itself (`payments.wallets`); these run the same services one by one, for
replays and for staff."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from payments.services.wallets import WALLETS, wallet_auto_top_up, wallet_grant_expire

__all__ = ["wallet_auto_top_up_task", "wallet_grant_expire_task"]


@shared_task(name="payments.wallet_grant_expire")
def wallet_grant_expire_task(grant_id: int, as_of: str | None = None) -> str:
    """Expire what is left of a grant past its expiry (nothing when it already expired)."""
    at = datetime.fromisoformat(as_of) if as_of else timezone.now()
    grant = wallet_grant_expire(grant_id=grant_id, as_of=at, actor=WALLETS)
    return str(grant.amount_expired)


@shared_task(name="payments.wallet_auto_top_up")
def wallet_auto_top_up_task(customer_id: int, as_of: str | None = None) -> int | None:
    """Issue a customer's automatic top-up if its balance is below its threshold; the invoice's
    id, or None when none was due."""
    at = datetime.fromisoformat(as_of) if as_of else timezone.now()
    invoice = wallet_auto_top_up(customer_id=customer_id, as_of=at, actor=WALLETS)
    return invoice.pk if invoice is not None else None
