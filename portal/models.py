"""The customer billing portal's rows: who may enter (portal users invited by staff), how they
enter (single-use links: a portal session asked for by an integrator's backend, a magic login
link, an invitation), the sessions opened from those links, and what finance staff allow the
customers of each portal configuration to do.

A link's token is shown once (in the URL handed to the integrator or e-mailed to the user) and
only its SHA-256 is stored: a leaked database dump opens no portal."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models.functions import Lower

from billing.models import Customer
from catalog.models import Plan

# --------------------------------------------------------------------------------- configuration


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PortalConfiguration(models.Model):
    """What the customers of this configuration may do in the portal. One is the default (used
    for every customer that has none assigned); a portal session may name another one."""

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    allow_plan_change = models.BooleanField(
        default=True, help_text="Customers may switch to one of the plans below."
    )
    allow_cancel = models.BooleanField(
        default=True, help_text="Customers may cancel at the end of the period, and undo it."
    )
    allow_payment_method_update = models.BooleanField(
        default=True, help_text="Customers may add, remove and choose their payment methods."
    )
    allow_billing_details_update = models.BooleanField(
        default=True, help_text="Customers may change their address, e-mail and tax id."
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="portal_one_default_configuration",
            )
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class PortalConfigurationPlan(models.Model):
    """A plan the customers of a configuration may switch to (in their currency)."""

    configuration = models.ForeignKey(
        PortalConfiguration, on_delete=models.CASCADE, related_name="plan_rows"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "plan"], name="portal_configuration_plan_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.configuration}: {self.plan}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PortalCustomerConfiguration(models.Model):
    """The configuration assigned to one customer (else the default one)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="portal_configuration"
    )
    configuration = models.ForeignKey(
        PortalConfiguration, on_delete=models.PROTECT, related_name="customer_rows"
    )

    def __str__(self) -> str:
        return f"{self.customer}: {self.configuration}"


# ---------------------------------------------------------------------------------------- access


class PortalUserState(models.TextChoices):
    INVITED = "invited"  # invited by staff, has not logged in yet
    ACTIVE = "active"  # has logged in at least once
    DISABLED = "disabled"  # may no longer log in; its open sessions are ended


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PortalUser(models.Model):
    """A person finance staff invited to one customer's portal (several per customer). They
    log in with a magic link e-mailed to `email`."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="portal_users")
    email = models.EmailField()
    name = models.CharField(max_length=255, blank=True)
    state = models.CharField(
        max_length=16, choices=PortalUserState.choices, default=PortalUserState.INVITED
    )
    invited_by = models.CharField(max_length=255, help_text="The actor who invited them.")
    invited_at = models.DateTimeField()
    last_login_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "customer", Lower("email"), name="portal_user_email_once_per_customer"
            )
        ]

    def __str__(self) -> str:
        return self.email


class LinkKind(models.TextChoices):
    SESSION = "session"  # asked for over the API by the integrator's backend (POST portal-sessions)
    LOGIN = "login"  # a magic link e-mailed to a portal user who asked for one
    INVITATION = "invitation"  # e-mailed when staff invite a portal user


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PortalLink(models.Model):
    """A single-use link into the portal. Opening it (once, before `expires_at`) starts a
    PortalSession; a second opening or a late one is refused."""

    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="portal_links")
    user = models.ForeignKey(
        PortalUser, on_delete=models.PROTECT, null=True, blank=True, related_name="links"
    )
    configuration = models.ForeignKey(
        PortalConfiguration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Overrides the customer's configuration for the session opened from it.",
    )
    return_url = models.URLField(max_length=2000, blank=True)
    locale = models.CharField(
        max_length=16, blank=True, help_text="The portal's language, if not the customer's."
    )
    created_by = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} link #{self.pk} ({self.customer})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PortalSession(models.Model):
    """A customer's session in the portal, opened from one link. Valid until `expires_at` (or
    `ended_at`: logged out, the user disabled); every page and download is scoped to
    `customer`."""

    link = models.OneToOneField(PortalLink, on_delete=models.PROTECT, related_name="session")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="portal_sessions")
    user = models.ForeignKey(
        PortalUser, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    configuration = models.ForeignKey(
        PortalConfiguration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_url = models.URLField(max_length=2000, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"portal session #{self.pk} ({self.customer})"


class PortalLoginRequest(models.Model):
    """One request for a magic login link (known e-mail or not), kept a day: how many were asked
    for per e-mail address and per client IP in the last hour (the limits of
    `portal_login_request`). Holds no token and says nothing about whether the address is a
    portal user's."""

    email = models.CharField(max_length=254, help_text="As typed, lower case.")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    links = models.PositiveSmallIntegerField(default=0, help_text="Login links e-mailed.")

    class Meta:
        indexes = [
            models.Index(fields=["email", "created_at"], name="portal_login_req_email"),
            models.Index(fields=["ip", "created_at"], name="portal_login_req_ip"),
        ]

    def __str__(self) -> str:
        return f"login request {self.email} at {self.created_at}"
