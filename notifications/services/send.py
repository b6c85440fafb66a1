"""Sending notifications, once each: the claim, the SMTP conversation, what it answered.

1. The claim (one short transaction): the notification's row is locked, and only it (`SKIP
   LOCKED`, `of=self`: a lock on its customer, held by any billing service, is no obstacle; a
   second worker on the same row goes away as `busy` and its task tries again 5 s later); only
   a `pending` row whose attempt is due, or a `sending` row whose claim ran out, is taken; it
   becomes `sending` until `claimed_until` (NOTIFICATIONS_CLAIM_SECONDS: longer than a task
   may run, CELERY_TASK_TIME_LIMIT, after which Celery kills it), `attempts` + 1. The attempt's
   number is the claim's token. A row that has had NOTIFICATIONS_MAX_ATTEMPTS attempts already
   (workers that died on each) is not claimed: it is `failed`.
2. The e-mail is rendered and handed to Django's e-mail backend (EMAIL_URL), outside any
   transaction.
3. The answer (another short transaction), recorded only while the row is still `sending`
   under this attempt's number (a worker whose claim was taken over records nothing, and logs
   it): accepted -> `sent`, `sent_at`, `message_id`, and a `notification.sent` journal event.
   A transient error (a connection error, a timeout, an SMTP 4xx reply, a storage or database
   error while rendering) -> `pending` again, the error kept, the next attempt due after a
   backoff (1, 2, 4 ... minutes, at most an hour), until NOTIFICATIONS_MAX_ATTEMPTS attempts;
   then, or at once for an error no retry cures, `failed` with a `notification.failed` event.
   No retry cures: a 5xx reply refusing the message (MAIL FROM, DATA: 550, 552, 554) or every
   recipient; an address or header that cannot be encoded (UnicodeError, BadHeaderError,
   ValueError); any other error of ours (a template, a document gone), logged with its
   traceback. An SMTP authentication failure (535) is the server refusing us, not the e-mail:
   retried (fix the credentials, the e-mails go).

A task that runs twice finds the row `sent` (or claimed) and sends nothing. The one window: a
worker that dies after the server accepted the e-mail and before step 3 commits leaves the row
`sending`; when its claim runs out, the sweep sends it again (a duplicate e-mail, never a lost
one)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import BadHeaderError, get_connection
from django.db import DatabaseError, transaction
from django.db.models import Q

from billing.selectors import clock_scope
from billing.services import journal_write, locked_customer
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed
from notifications import emails
from notifications.models import ALLOWED_TRANSITIONS, Notification, State
from notifications.services.record import ACTOR, send_soon
from payments.models.dunning import DUNNING_TEMPLATES, DunningTransition

logger = logging.getLogger(__name__)

# ConnectionError and timeouts are OSErrors; an SMTP reply is retried unless it is a 5xx
# refusal of the message (_permanent); a database error while rendering is retried too
RETRYABLE = (smtplib.SMTPException, OSError, DatabaseError)
BUSY_RETRY_SECONDS = 5  # the row locked by another transaction for a moment: try again then


@dataclass(frozen=True)
class SendResult:
    """What a send did: the notification's state after it (or `busy`: another worker holds
    it; `not_due`: its next attempt is later), and, when it is to be tried again, in how many
    seconds."""

    state: str
    retry_in: int | None = None


def backoff_seconds(attempts: int) -> int:
    """60 s after the first failed attempt, doubling, at most an hour."""
    return int(min(3600, 60 * 2 ** max(0, attempts - 1)))


def _move(n: Notification, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[n.state]:
        raise Conflict(f"A {n.state} notification cannot become {to}.", code="not_allowed")
    n.state = to


def _claim(notification_id: int, as_of: datetime) -> Notification | SendResult:
    with transaction.atomic(durable=True), audit_context(actor=ACTOR, reason="sending"):
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer")
            .filter(pk=notification_id)
            .first()
        )
        if n is None:
            if not Notification.objects.filter(pk=notification_id).exists():
                raise NotFound(f"No notification with id {notification_id}.")
            return SendResult("busy", BUSY_RETRY_SECONDS)  # locked for a moment
        if n.state == State.SENDING and n.claimed_until and n.claimed_until > as_of:
            return SendResult("busy")  # its worker finishes it (or the sweep, if it died)
        if n.state not in (State.PENDING, State.SENDING):
            return SendResult(n.state)
        if n.next_attempt_at and n.next_attempt_at > as_of:
            return SendResult("not_due")
        stale = _dunning_left(n)
        if stale and n.state == State.PENDING:
            _move(n, State.SKIPPED)
            n.last_error = stale
            n.next_attempt_at = None
            n.updated_at = as_of
            n.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
            _journal(n, "notification.skipped", as_of, reason=stale)
            return SendResult(n.state)
        if n.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            if n.state == State.PENDING:
                _move(n, State.SENDING)
            lost = (
                f"Gave up after {n.attempts} attempts: the last one never finished "
                "(its worker stopped)."
            )
            n.last_error = f"{lost} {n.last_error}".strip()[:4000]
            _move(n, State.FAILED)
            n.claimed_until = None
            n.next_attempt_at = None
            n.updated_at = as_of
            n.save(update_fields=["state", "last_error", "claimed_until", "next_attempt_at",
                                  "updated_at"])  # fmt: skip
            _journal(n, "notification.failed", as_of, error=n.last_error)
            return SendResult(n.state)
        if n.state == State.PENDING:
            _move(n, State.SENDING)
        n.attempts += 1
        n.claimed_until = as_of + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)
        n.updated_at = as_of
        n.save(update_fields=["state", "attempts", "claimed_until", "updated_at"])
        return n


def _dunning_left(n: Notification) -> str:
    """Why a dunning e-mail must not go now: the customer has moved on from the state it
    announces (it paid, or moved again) since it was recorded. Staff's "send again" is sent."""
    if n.template not in DUNNING_TEMPLATES or n.resend_of_id is not None or n.event_id is None:
        return ""
    announced = (n.event.payload or {}).get("transition") if n.event is not None else None
    if not isinstance(announced, int):
        return ""
    if not DunningTransition.objects.filter(customer_id=n.customer_id, pk__gt=announced).exists():
        return ""  # still the customer's latest transition
    return "The customer left this dunning state before the e-mail went out."


def _permanent(error: BaseException) -> bool:
    """An error no retry cures (see the module's note)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    if isinstance(error, (UnicodeError, BadHeaderError, ValueError)):
        return True
    return not isinstance(error, RETRYABLE)


def _journal(n: Notification, type_: str, as_of: datetime, **extra: object) -> None:
    journal_write(
        type=type_,
        subject_type="notification",
        subject_id=n.pk,
        payload={
            "notification": n.pk,
            "customer": n.customer_id,
            "template": n.template,
            "event": n.event_id,
            "recipient": n.recipient,
            "attempts": n.attempts,
            **extra,
        },
        actor=ACTOR,
        occurred_at=as_of,
    )


def _finish(
    notification_id: int,
    as_of: datetime,
    *,
    attempt: int,
    error: BaseException | None,
    fields: dict[str, object],
) -> SendResult:
    """Record the outcome of claimed attempt number `attempt`: sent (`error` None), or the
    error (retried or failed). Nothing when the claim is no longer this attempt's (it ran out
    and another worker took the row over, or the row is already recorded)."""
    with transaction.atomic(durable=True), audit_context(actor=ACTOR, reason="sent"):
        n = Notification.objects.select_for_update(of=("self",)).get(pk=notification_id)
        if n.state != State.SENDING or n.attempts != attempt:
            logger.warning(
                "notification %s: attempt %s ended (%s) after its claim was lost (now %s, "
                "attempt %s): not recorded",
                n.pk, attempt, "sent" if error is None else repr(error), n.state, n.attempts,
            )  # fmt: skip
            return SendResult("busy" if n.state == State.SENDING else n.state)
        for name, value in fields.items():
            setattr(n, name, value)
        n.claimed_until = None
        n.updated_at = as_of
        retry_in = None
        if error is None:
            _move(n, State.SENT)
            n.sent_at = as_of
            n.last_error = ""
            n.next_attempt_at = None
            _journal(n, "notification.sent", as_of, message_id=n.message_id)
        else:
            n.last_error = f"{type(error).__name__}: {error}"[:4000]
            if not _permanent(error) and n.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
                _move(n, State.PENDING)
                retry_in = backoff_seconds(n.attempts)
                n.next_attempt_at = as_of + timedelta(seconds=retry_in)
            else:
                _move(n, State.FAILED)
                n.next_attempt_at = None
                _journal(n, "notification.failed", as_of, error=n.last_error)
        n.save()
        return SendResult(n.state, retry_in)


def notification_send(*, notification_id: int, as_of: datetime) -> SendResult:
    """Send one notification if it is due (see the module's note). Never twice: a sent one,
    or one another worker holds, is left alone. Every error while rendering or sending is
    recorded (retried or failed), never left `sending`."""
    claimed = _claim(notification_id, as_of)
    if isinstance(claimed, SendResult):
        return claimed
    n = claimed
    fields: dict[str, object] = {}
    try:
        rendered = emails.render(n, as_of=as_of)
        fields = {"subject": rendered.subject, "locale": rendered.language}
        message_id = emails.new_message_id(n.pk)
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([emails.message(n, rendered, message_id)])
    except SoftTimeLimitExceeded:
        raise  # the claim runs out and the sweep sends it later
    except Exception as error:  # recorded: retried, or failed when no retry cures it
        if isinstance(error, RETRYABLE):
            logger.warning("notification %s: attempt %s: %r", n.pk, n.attempts, error)
        else:  # an address, a header, or ours (a template, a document gone): the traceback
            logger.exception("notification %s: attempt %s failed", n.pk, n.attempts)
        return _finish(n.pk, as_of, attempt=n.attempts, error=error, fields=fields)
    return _finish(
        n.pk, as_of, attempt=n.attempts, error=None, fields={**fields, "message_id": message_id}
    )


def _due(as_of: datetime) -> Q:
    return Q(state=State.PENDING, next_attempt_at__lte=as_of) | Q(
        state=State.SENDING, claimed_until__lte=as_of
    )


def notifications_send_due(
    *, as_of: datetime, limit: int = 1000, test_clock: int | None = None
) -> dict[str, int]:
    """Send, here and now, every notification due at `as_of` (pending ones whose attempt has
    come, claims that ran out), oldest first: `manage.py notifications_send`, the tests and a
    test clock's advance. In one clock scope (live customers' by default, or a test clock's:
    billing.selectors.clock_scope)."""
    ids = list(
        Notification.objects.filter(_due(as_of), clock_scope(test_clock))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "pending": 0, "failed": 0, "skipped": 0, "busy": 0, "not_due": 0}
    for notification_id in ids:
        try:
            result = notification_send(notification_id=notification_id, as_of=as_of)
        except SoftTimeLimitExceeded:
            raise
        except Exception:  # one notification's trouble (e.g. the database): the others go on
            logger.exception("notification %s: the send failed", notification_id)
            counts["failed"] += 1
            continue
        counts[result.state if result.state in counts else "busy"] += 1
    return counts


SWEEP_HOOK = "notifications.send_due"


def sweep_due(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """A clock hook: queue again the sends whose task was lost (due for
    NOTIFICATIONS_LOST_AFTER_SECONDS already) and the claims that ran out. In one clock scope
    (live customers' by default, or a test clock's)."""
    lost = as_of - timedelta(seconds=settings.NOTIFICATIONS_LOST_AFTER_SECONDS)
    ids = list(
        Notification.objects.filter(
            Q(state=State.PENDING, next_attempt_at__lte=lost)
            | Q(state=State.SENDING, claimed_until__lte=as_of),
            clock_scope(test_clock),
        )
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )
    with transaction.atomic():
        send_soon(ids)
    return {"notifications_queued": len(ids)}


def notification_resend(*, notification_id: int, actor: Actor, as_of: datetime) -> Notification:
    """Send an e-mail again (staff, the API): a new notification with the same template and
    facts, to the customer's e-mail address as it is now, recorded with who asked
    (`requested_by`), keyed '<original key>:resend:<n>'. Refused while the original is still
    being sent (`pending`, `sending`) and for a customer without an e-mail address."""
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason="send again"),
    ):
        found = Notification.objects.filter(pk=notification_id).values_list(
            "customer_id", flat=True
        )
        if not found:
            raise NotFound(f"No notification with id {notification_id}.")
        customer = locked_customer(found[0])
        original = Notification.objects.select_for_update().get(pk=notification_id)
        if original.state in (State.PENDING, State.SENDING):
            raise Conflict(
                f"Notification {original.pk} is still being sent ({original.state}).",
                code="still_sending",
            )
        address = customer.email.strip()
        if not address:
            raise ValidationFailed(NO_ADDRESS_ON_RESEND, field="customer", code="no_email")
        root = original.resend_of or original
        number = Notification.objects.filter(resend_of=root).count() + 1
        copy = Notification.objects.create(
            customer=customer,
            template=original.template,
            key=f"{root.key}:resend:{number}"[:200],
            event_id=original.event_id,
            data=original.data,
            resend_of=root,
            requested_by=actor.label,
            recipient=address,
            state=State.PENDING,
            next_attempt_at=as_of,
            created_at=as_of,
            updated_at=as_of,
        )
        journal_write(
            type="notification.resend_requested",
            subject_type="notification",
            subject_id=copy.pk,
            payload={"notification": copy.pk, "resend_of": root.pk, "template": copy.template},
            actor=actor,
            occurred_at=as_of,
        )
        send_soon([copy.pk])
    return copy


NO_ADDRESS_ON_RESEND = "The customer has no e-mail address: add one first."
