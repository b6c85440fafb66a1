"""Who gets into the portal, and how: single-use links and the sessions opened from them.

Three kinds of link (PortalLink.kind), each single-use, each stored as the SHA-256 of its token
only (the token travels once: in the API's answer, or in an e-mail):

- `session`: asked for by the integrator's backend (`POST /api/v1/portal-sessions/`), valid
  LINK_TTL (5 minutes, as Stripe's), with an optional return URL, language and configuration;
- `invitation`: e-mailed when finance staff invite a portal user, valid INVITATION_TTL (7 days);
- `login`: a magic link e-mailed to a portal user who asks for one on the sign-in page, valid
  LOGIN_LINK_TTL (15 minutes).

Opening a link (`portal_link_consume`) once, before it expires, starts a PortalSession valid
SESSION_TTL (absolute: no idle extension, so the session row is never written by page views);
an invitation or login link also marks its user active and sets `last_login_at`. A second
opening, a late one, one of a disabled user, or an unknown token is refused (LinkRefused: 410,
or NotFound: 404) and writes nothing.

E-mails (invitation, login link) are sent after the commit by `portal.send_access_email` on the
e-mail queue (settings.CELERY_EMAIL_QUEUE); the link's URL, token included, travels in the
task's arguments (the broker holds it until the worker runs: it expires in minutes, or 7 days
for an invitation, and is single-use).

Journal events (subject `portal_user` or `portal_session`, the latter's id being the link's,
which the API calls the portal session's id): portal_user.invited, portal_user.disabled,
portal_session.created (a link issued), portal_session.opened, portal_session.ended. No payload
holds a token or its hash."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.models import Customer
from billing.services import journal_write
from core.audit import Actor, audit_context
from core.db import lock_id
from core.exceptions import ApplicationError, Conflict, NotFound, ValidationFailed
from portal.models import (
    LinkKind,
    PortalConfiguration,
    PortalLink,
    PortalLoginRequest,
    PortalSession,
    PortalUser,
    PortalUserState,
)

LINK_TTL = timedelta(minutes=5)  # a portal session link from the API, as Stripe's
SESSION_TTL = timedelta(hours=1)  # a session opened from any link (absolute)
LOGIN_LINK_TTL = timedelta(minutes=15)  # a magic login link
INVITATION_TTL = timedelta(days=7)  # an invitation link
LOGIN_WINDOW = timedelta(hours=1)
LOGIN_LIMIT_PER_EMAIL = 5  # login link requests per e-mail address per LOGIN_WINDOW
LOGIN_LIMIT_PER_IP = 20  # login link requests per client IP per LOGIN_WINDOW
LOGIN_REQUESTS_KEPT = timedelta(days=1)
RETURN_URL_MAX = 2000
SYSTEM = Actor.system("portal")


class LinkRefused(ApplicationError):
    """A link that was valid once and is no longer (used, expired, its user disabled): 410."""

    status_code = 410
    code = "link_refused"


class TooManyRequests(ApplicationError):
    status_code = 429
    code = "rate_limited"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_path(token: str) -> str:
    """The path of a portal session link (an integrator's)."""
    return reverse("portal:session_link", args=[token])


def login_link_path(token: str) -> str:
    """The path of an e-mailed link (invitation or login)."""
    return reverse("portal:login_link", args=[token])


def absolute_url(base_url: str, path: str) -> str:
    """A portal link's URL (e-mailed, or returned by the API): on settings.PORTAL_BASE_URL when
    set (never a Host header's choice, nor the internal host an integrator's backend called),
    else on the asking request's address (its host checked by ALLOWED_HOSTS)."""
    return (settings.PORTAL_BASE_URL or base_url).rstrip("/") + path


# ------------------------------------------------------------------------------------ checks


def validate_return_url(value: str) -> str:
    """An absolute http(s) URL (where "Back" and sign-out go), or "" for none."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > RETURN_URL_MAX:
        raise ValidationFailed(
            f"At most {RETURN_URL_MAX} characters.", field="return_url", code="max_length"
        )
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationFailed(
            "Give an absolute http:// or https:// URL.", field="return_url", code="invalid"
        ) from None
    return value


def portal_languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def validate_portal_locale(value: str) -> str:
    value = (value or "").strip()
    if value and value not in portal_languages():
        raise ValidationFailed(
            f"The portal speaks {', '.join(portal_languages())}; {value!r} is none of them.",
            field="locale",
            code="invalid_choice",
        )
    return value


def normalized_email(value: str) -> str:
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationFailed("Enter a valid e-mail address.", field="email") from None
    return value


# ------------------------------------------------------------------------------------- links


def _issue(
    *,
    kind: str,
    customer: Customer,
    ttl: timedelta,
    as_of: datetime,
    actor: Actor,
    user: PortalUser | None = None,
    configuration: PortalConfiguration | None = None,
    return_url: str = "",
    locale: str = "",
) -> tuple[PortalLink, str]:
    """A new link (inside the caller's transaction) and its token; journals
    portal_session.created."""
    token = secrets.token_urlsafe(32)
    link = PortalLink.objects.create(
        kind=kind,
        token_hash=token_hash(token),
        customer=customer,
        user=user,
        configuration=configuration,
        return_url=return_url,
        locale=locale,
        created_by=actor.label,
        created_at=as_of,
        expires_at=as_of + ttl,
    )
    journal_write(
        type="portal_session.created",
        subject_type="portal_session",
        subject_id=link.pk,
        payload={
            "link": link.pk,
            "kind": kind,
            "customer": customer.pk,
            "portal_user": user.pk if user else None,
            "expires_at": link.expires_at.isoformat(),
            "return_url": return_url,
            "locale": locale,
            "configuration": configuration.pk if configuration else None,
        },
        actor=actor,
        occurred_at=as_of,
    )
    return link, token


def _refuse_archived(customer: Customer) -> None:
    """No way into the portal is opened for an archived customer (as no subscription is
    created for one: 409 on `customer`)."""
    if customer.is_archived:
        raise Conflict(f"Customer {customer.external_id} is archived.", field="customer")


def portal_session_create(
    *,
    customer_id: int,
    return_url: str = "",
    locale: str = "",
    configuration_id: int | None = None,
    as_of: datetime,
    actor: Actor,
) -> tuple[PortalLink, str]:
    """A single-use link into the customer's portal, valid for LINK_TTL: the link row and its
    token (shown once; only its hash is kept). Refused: an unknown customer (404 on
    `customer`), an archived one (409 on `customer`), a return URL that is not an absolute
    http(s) URL, a language the portal does not speak, an unknown configuration (400 on the
    field)."""
    return_url = validate_return_url(return_url)
    locale = validate_portal_locale(locale)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="portal session"):
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(f"No customer with id {customer_id}.", field="customer")
        _refuse_archived(customer)
        configuration = None
        if configuration_id is not None:
            configuration = PortalConfiguration.objects.filter(pk=configuration_id).first()
            if configuration is None:
                raise ValidationFailed(
                    f"No portal configuration with id {configuration_id}.",
                    field="configuration",
                    code="does_not_exist",
                )
        return _issue(
            kind=LinkKind.SESSION,
            customer=customer,
            ttl=LINK_TTL,
            as_of=as_of,
            actor=actor,
            configuration=configuration,
            return_url=return_url,
            locale=locale,
        )


# shown on the refusal page, in the language active when refused (the browser's)
INVALID = _("This link is not valid: check that it was copied whole.")
USED = _("This link was already used. Each link opens the portal once: ask for a new one.")
EXPIRED = _("This link has expired: ask for a new one.")
DISABLED = _("This account no longer has access to the portal.")


def link_refusal(
    link: PortalLink | None, *, as_of: datetime, kinds: tuple[str, ...] = ()
) -> ApplicationError | None:
    """Why a link cannot open the portal at `as_of` (None: it can). `kinds`: the kinds this
    door takes (an e-mailed link's page refuses a session link, as unknown)."""
    if link is None or (kinds and link.kind not in kinds):
        return NotFound(str(INVALID), code="link_invalid")
    if link.used_at is not None:
        return LinkRefused(str(USED), code="link_used")
    if link.expires_at <= as_of:
        return LinkRefused(str(EXPIRED), code="link_expired")
    if link.user is not None and link.user.state == PortalUserState.DISABLED:
        return LinkRefused(str(DISABLED), code="user_disabled")
    return None


def portal_link_consume(
    *, token: str, as_of: datetime, kinds: tuple[str, ...] = ()
) -> PortalSession:
    """Open a session from a link (of one of `kinds`, when given): once, before it expires,
    its user (if any) not disabled. Refused with nothing written: NotFound (`link_invalid`),
    LinkRefused (`link_used`, `link_expired`, `user_disabled`)."""
    with transaction.atomic(durable=True):
        link = (
            PortalLink.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=token_hash(token))
            .first()
        )
        refusal = link_refusal(link, as_of=as_of, kinds=kinds)
        if refusal is not None:
            raise refusal
        assert link is not None
        user = link.user
        if user is not None:
            user = PortalUser.objects.select_for_update().get(pk=user.pk)
            if user.state == PortalUserState.DISABLED:  # disabled meanwhile
                raise LinkRefused(str(DISABLED), code="user_disabled")
        actor = Actor(
            kind="customer",
            id=str(link.customer_id),
            label=f"portal:{user.email}" if user else f"portal:link {link.pk}",
        )
        with audit_context(actor=actor, reason=f"portal {link.kind} link opened"):
            link.used_at = as_of
            link.save(update_fields=["used_at"])
            if user is not None:
                user.state = PortalUserState.ACTIVE
                user.last_login_at = as_of
                user.save(update_fields=["state", "last_login_at"])
            session = PortalSession.objects.create(
                link=link,
                customer_id=link.customer_id,
                user=user,
                configuration_id=link.configuration_id,
                return_url=link.return_url,
                locale=link.locale,
                created_at=as_of,
                expires_at=as_of + SESSION_TTL,
            )
            journal_write(
                type="portal_session.opened",
                subject_type="portal_session",
                subject_id=link.pk,
                payload={
                    "link": link.pk,
                    "session": session.pk,
                    "kind": link.kind,
                    "customer": link.customer_id,
                    "portal_user": user.pk if user else None,
                    "expires_at": session.expires_at.isoformat(),
                },
                actor=actor,
                occurred_at=as_of,
            )
        return session


def _end(session: PortalSession, *, reason: str, as_of: datetime, actor: Actor) -> None:
    """End an open session (inside the caller's transaction, the row locked)."""
    session.ended_at = as_of
    session.end_reason = reason[:64]
    session.save(update_fields=["ended_at", "end_reason"])
    journal_write(
        type="portal_session.ended",
        subject_type="portal_session",
        subject_id=session.link_id,
        payload={
            "link": session.link_id,
            "session": session.pk,
            "customer": session.customer_id,
            "portal_user": session.user_id,
            "reason": session.end_reason,
        },
        actor=actor,
        occurred_at=as_of,
    )


def portal_session_end(
    *, session_id: int, reason: str, as_of: datetime, actor: Actor
) -> PortalSession | None:
    """End a session (sign-out, staff): None when there is none; an ended one stays as it is."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        session = PortalSession.objects.select_for_update().filter(pk=session_id).first()
        if session is not None and session.ended_at is None and session.expires_at > as_of:
            _end(session, reason=reason, as_of=as_of, actor=actor)
        return session


def portal_link_end(*, link_id: int, as_of: datetime, actor: Actor) -> PortalLink:
    """End what a link gave (the API's `end`, the admin's action): its open session, or, when
    it was never opened, the link itself (it expires now). Ending twice changes nothing."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="session ended"):
        link = PortalLink.objects.select_for_update().filter(pk=link_id).first()
        if link is None:
            raise NotFound(f"No portal session with id {link_id}.")
        session = PortalSession.objects.select_for_update().filter(link=link).first()
        if session is not None:
            if session.ended_at is None and session.expires_at > as_of:
                _end(session, reason="ended by " + actor.kind, as_of=as_of, actor=actor)
        elif link.expires_at > as_of:
            link.expires_at = as_of
            link.save(update_fields=["expires_at"])
        return link


# -------------------------------------------------------------------------------------- users


def _invitation(user: PortalUser, *, base_url: str, as_of: datetime, actor: Actor) -> None:
    """A new invitation link for the user, e-mailed after the commit; older unused
    invitations of the user expire now (only the latest works)."""
    PortalLink.objects.filter(
        user=user, kind=LinkKind.INVITATION, used_at__isnull=True, expires_at__gt=as_of
    ).update(expires_at=as_of)
    link, token = _issue(
        kind=LinkKind.INVITATION,
        customer=user.customer,
        user=user,
        ttl=INVITATION_TTL,
        as_of=as_of,
        actor=actor,
    )
    _email_soon(link.pk, absolute_url(base_url, login_link_path(token)))


def _locked_user(user_id: int) -> PortalUser:
    user = (
        PortalUser.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        raise NotFound(f"No portal user with id {user_id}.")
    return user


def _user_event(type_: str, user: PortalUser, as_of: datetime, actor: Actor, **extra: Any) -> None:
    journal_write(
        type=type_,
        subject_type="portal_user",
        subject_id=user.pk,
        payload={
            "portal_user": user.pk,
            "customer": user.customer_id,
            "email": user.email,
            "state": user.state,
            **extra,
        },
        actor=actor,
        occurred_at=as_of,
    )


def portal_user_invite(
    *, customer_id: int, email: str, name: str = "", base_url: str, as_of: datetime, actor: Actor
) -> PortalUser:
    """Invite a person to the customer's portal: a portal user (`invited`), and an e-mail with
    an invitation link valid INVITATION_TTL. One user per e-mail address per customer (case
    does not matter): a second is refused on `email`; an archived customer's, on `customer`."""
    email = normalized_email(email)
    name = (name or "").strip()[:255]
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="portal invitation"):
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(f"No customer with id {customer_id}.", field="customer")
        _refuse_archived(customer)
        if PortalUser.objects.filter(customer=customer, email__iexact=email).exists():
            raise ValidationFailed(
                f"{customer.name} already has a portal user with the e-mail address {email}.",
                field="email",
                code="unique",
            )
        user = PortalUser.objects.create(
            customer=customer,
            email=email,
            name=name,
            state=PortalUserState.INVITED,
            invited_by=actor.label,
            invited_at=as_of,
        )
        _user_event("portal_user.invited", user, as_of, actor, again=False)
        _invitation(user, base_url=base_url, as_of=as_of, actor=actor)
        return user


def portal_user_invite_again(
    *, user_id: int, base_url: str, as_of: datetime, actor: Actor
) -> PortalUser:
    """A new invitation e-mail (the earlier invitation links stop working). A disabled user
    invited again is `invited` again; an active one signs in with a login link instead (409)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="invited again"):
        user = _locked_user(user_id)
        if user.state == PortalUserState.ACTIVE:
            raise Conflict(
                f"{user.email} has signed in already: they ask for a login link on the "
                "portal's sign-in page.",
                code="already_active",
            )
        user.state = PortalUserState.INVITED
        user.invited_by = actor.label
        user.invited_at = as_of
        user.disabled_at = None
        user.save(update_fields=["state", "invited_by", "invited_at", "disabled_at"])
        _user_event("portal_user.invited", user, as_of, actor, again=True)
        _invitation(user, base_url=base_url, as_of=as_of, actor=actor)
        return user


def portal_user_disable(
    *, user_id: int, as_of: datetime, actor: Actor, reason: str = ""
) -> PortalUser:
    """The user may no longer sign in: its open sessions end now, its links stop working.
    Disabling a disabled user changes nothing."""
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "portal user disabled"),
    ):
        user = _locked_user(user_id)
        if user.state == PortalUserState.DISABLED:
            return user
        user.state = PortalUserState.DISABLED
        user.disabled_at = as_of
        user.save(update_fields=["state", "disabled_at"])
        open_sessions = PortalSession.objects.select_for_update().filter(
            user=user, ended_at__isnull=True, expires_at__gt=as_of
        )
        ended = 0
        for session in open_sessions.order_by("pk"):
            _end(session, reason="user disabled", as_of=as_of, actor=actor)
            ended += 1
        _user_event("portal_user.disabled", user, as_of, actor, sessions_ended=ended)
        return user


# -------------------------------------------------------------------------------- magic login


@dataclass(frozen=True)
class LoginRequested:
    links: int  # e-mailed (0 for an unknown address: the page says the same)


def portal_login_request(
    *, email: str, ip: str | None, base_url: str, as_of: datetime
) -> LoginRequested:
    """A magic login link, valid LOGIN_LINK_TTL, e-mailed to every active or invited portal
    user with this address (one per customer). Limited per address (LOGIN_LIMIT_PER_EMAIL) and
    per client IP (LOGIN_LIMIT_PER_IP) per LOGIN_WINDOW, counted in the database whether the
    address is known or not (TooManyRequests, 429), exactly: under advisory locks on the
    address, then on the IP. Invalid addresses: 400 on `email`."""
    email = normalized_email(email)
    key = email.lower()
    ip = str(ipaddress.ip_address(ip)) if ip else None  # one spelling: one lock, one count
    actor = Actor(kind="system", id="portal-login", label="portal:login request")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="login link"):
        with connection.cursor() as cursor:  # one request per address, then per IP, at a
            # time: exact counts (always in this order, so two requests never wait on each other)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id(f"portal-login:{key}")])
            if ip:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s)", [lock_id(f"portal-login-ip:{ip}")]
                )
        since = as_of - LOGIN_WINDOW
        PortalLoginRequest.objects.filter(created_at__lt=as_of - LOGIN_REQUESTS_KEPT).delete()
        recent = PortalLoginRequest.objects.filter(created_at__gt=since)
        if recent.filter(email=key).count() >= LOGIN_LIMIT_PER_EMAIL:
            raise TooManyRequests(
                str(
                    _(
                        "Too many sign-in links were asked for this e-mail address. Use the "
                        "latest one or try again in an hour."
                    )
                ),
                field="email",
            )
        if ip and recent.filter(ip=ip).count() >= LOGIN_LIMIT_PER_IP:
            raise TooManyRequests(
                str(_("Too many sign-in links were asked for from your network. Try again later."))
            )
        users = list(
            PortalUser.objects.select_related("customer")
            .filter(email__iexact=key, state__in=[PortalUserState.ACTIVE, PortalUserState.INVITED])
            .order_by("pk")
        )
        for user in users:
            link, token = _issue(
                kind=LinkKind.LOGIN,
                customer=user.customer,
                user=user,
                ttl=LOGIN_LINK_TTL,
                as_of=as_of,
                actor=actor,
            )
            _email_soon(link.pk, absolute_url(base_url, login_link_path(token)))
        PortalLoginRequest.objects.create(email=key, ip=ip, created_at=as_of, links=len(users))
        return LoginRequested(links=len(users))


# ------------------------------------------------------------------------------------ e-mails


def _email_soon(link_id: int, url: str) -> None:
    transaction.on_commit(partial(_enqueue_email, link_id, url), robust=True)


def _enqueue_email(link_id: int, url: str) -> None:
    from portal.tasks import portal_access_email_task

    portal_access_email_task.apply_async(args=(link_id, url), queue=settings.CELERY_EMAIL_QUEUE)
