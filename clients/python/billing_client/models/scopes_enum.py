from enum import StrEnum


class ScopesEnum(StrEnum):
    BRANDINGREAD = "branding:read"
    BRANDINGWRITE = "branding:write"
    CATALOGREAD = "catalog:read"
    CATALOGWRITE = "catalog:write"
    CUSTOMERSREAD = "customers:read"
    CUSTOMERSWRITE = "customers:write"
    DUNNINGREAD = "dunning:read"
    DUNNINGWRITE = "dunning:write"
    ENTITLEMENTSREAD = "entitlements:read"
    ENTITLEMENTSWRITE = "entitlements:write"
    EVENTSREAD = "events:read"
    EVENTSWRITE = "events:write"
    FULL = "full"
    IMPORTSREAD = "imports:read"
    IMPORTSWRITE = "imports:write"
    INVOICESREAD = "invoices:read"
    INVOICESWRITE = "invoices:write"
    NOTIFICATIONSREAD = "notifications:read"
    NOTIFICATIONSWRITE = "notifications:write"
    PAYMENTSREAD = "payments:read"
    PAYMENTSWRITE = "payments:write"
    PORTALREAD = "portal:read"
    PORTALWRITE = "portal:write"
    READ = "read"
    REPORTSREAD = "reports:read"
    REPORTSWRITE = "reports:write"
    SUBSCRIPTIONSREAD = "subscriptions:read"
    SUBSCRIPTIONSWRITE = "subscriptions:write"
    TEST_CLOCKSREAD = "test_clocks:read"
    TEST_CLOCKSWRITE = "test_clocks:write"
    WEBHOOKSREAD = "webhooks:read"
    WEBHOOKSWRITE = "webhooks:write"

    def __str__(self) -> str:
        return str(self.value)
