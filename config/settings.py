"""Settings, all read from the environment through django-environ.

Production defaults are the safe ones (DEBUG off, HTTPS-only cookies, HSTS); the development run
(`make run`) sets DEBUG=true. See the README's "Configuration" section for every variable.
"""

import ipaddress
import re
from datetime import timedelta
from email.utils import formataddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import django_stubs_ext
import environ
import pgtrigger
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] etc. be subscripted at run time

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
_secret = env.str("SECRET_KEY", default="")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    _secret = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = _secret
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# a refused form under /portal/ is the portal's page, in the customer's language (config/urls.py)
CSRF_FAILURE_VIEW = "config.urls.csrf_failure"

# audit history: one statement-level trigger per write (transition tables), not one per row: a
# COPY of 30,000 invoice lines is one INSERT ... SELECT into their history, with its context once
PGHISTORY_LEVEL = pgtrigger.Statement

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "catalog",
    "billing",
    "invoicing",
    "payments",
    "notifications",
    "portal",
    "integrations",
    "backoffice",
    "config.apps.WiringConfig",
    "axes",  # admin login throttling (AXES_*, below)
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",  # first: Request-Id everywhere, JSON errors under /api/
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY
    "django_permissions_policy.PermissionsPolicyMiddleware",  # PERMISSIONS_POLICY
    "pghistory.middleware.HistoryMiddleware",
    "core.api.guard.InputGuardMiddleware",  # unstorable text in an API URL: 400 (bodies: parser)
    "core.idempotency.IdempotencyMiddleware",
    "core.api.throttling.RateLimitHeadersMiddleware",  # X-RateLimit-* (RATE_LIMITS, below)
    "axes.middleware.AxesMiddleware",  # last: the admin login's lockout page (AXES_*, below)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.brand",  # the portal's company name, logo, colours
            ],
        },
    },
]

# ------------------------------------------------------------------------------------ database
# PostgreSQL only. `make run` / `make test` start an embedded server when DATABASE_URL is unset.
# Several machines (README "Running on several machines"): DATABASE_POOLER=pgbouncer when
# DATABASE_URL is a PgBouncer in transaction mode (no server-side cursors, no prepared statements:
# consecutive transactions may run on different server connections); DATABASE_DIRECT_URL then
# reaches PostgreSQL itself (or a PgBouncer database in session mode) for the session advisory
# locks held across transactions (core.db.advisory_lock). DATABASE_REPLICA_URL: a read replica
# for the finance dashboard (core.db.on_replica, core.routers); its own DATABASE_REPLICA_POOLER
# (default: none).
POOLERS = ("", "pgbouncer")


def _database(var: str, default: str | None = None, *, pooler_var: str) -> dict[str, Any]:
    db: dict[str, Any] = env.db_url(var, default=default)
    if db.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{var} must point at PostgreSQL (postgres://...).")
    db["HOST"] = unquote(str(db.get("HOST", "")))  # a socket directory arrives percent-encoded
    db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    db.setdefault("OPTIONS", {})
    db["OPTIONS"]["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
    pooler = env.str(pooler_var, default="").strip().lower()
    if pooler not in POOLERS:
        raise ImproperlyConfigured(f"{pooler_var}={pooler!r}: empty (none) or pgbouncer.")
    if pooler == "pgbouncer":
        db["DISABLE_SERVER_SIDE_CURSORS"] = True  # a named cursor lives in one server session
        db["OPTIONS"]["prepare_threshold"] = None  # psycopg prepares nothing server-side
    return db


_db = _database(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/billing", pooler_var="DATABASE_POOLER"
)
_db["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_" + str(_db["NAME"]))}
DATABASES = {"default": _db}
if env.str("DATABASE_DIRECT_URL", default=""):
    if env.str("DATABASE_DIRECT_POOLER", default="").strip():
        raise ImproperlyConfigured(
            "DATABASE_DIRECT_POOLER: the direct connection keeps one server session (PostgreSQL "
            "itself, or a PgBouncer database in session mode): it takes no transaction pooler."
        )
    DATABASES["direct"] = _database("DATABASE_DIRECT_URL", pooler_var="DATABASE_DIRECT_POOLER")
    DATABASES["direct"]["TEST"] = {"MIRROR": "default"}
elif _db.get("DISABLE_SERVER_SIDE_CURSORS"):
    raise ImproperlyConfigured(
        "DATABASE_POOLER=pgbouncer needs DATABASE_DIRECT_URL: PostgreSQL itself (or a PgBouncer "
        "database in session mode) for the advisory locks held across transactions."
    )
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL", pooler_var="DATABASE_REPLICA_POOLER")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# reads inside core.db.on_replica() go to "replica" when it is configured; every write (and
# every other read) to "default"; nothing is migrated but "default"
DATABASE_ROUTERS = ["core.routers.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

# ---------------------------------------------------------------------------------- rate limits
# Requests per API key (or staff user) and route class: reads (GET), writes (POST, PUT, PATCH,
# DELETE), ingestion (usage events: POST /events and /events/batch, each batch one request);
# <count>/<period> with period s, m, h or d and an optional multiple (1000/s, 6000/m, 50/10s),
# or off. Fixed windows counted in Redis; over the limit: 429 with Retry-After.
RATE_LIMITS: dict[str, str | None] = {}
for _class, _default in (("reads", "1000/s"), ("writes", "100/s"), ("ingestion", "500/s")):
    _rate = env.str(f"RATE_LIMIT_{_class.upper()}", default=_default).strip().lower()
    if _rate not in ("off", "") and not re.fullmatch(r"[1-9][0-9]*/([1-9][0-9]*)?[smhd]", _rate):
        raise ImproperlyConfigured(
            f"RATE_LIMIT_{_class.upper()}={_rate!r} is not a rate: <count>/<period> with period "
            "s, m, h or d and an optional multiple (1000/s, 6000/m, 50/10s), or off."
        )
    RATE_LIMITS[_class] = None if _rate in ("off", "") else _rate
# The counters' Redis, asked with a short timeout (seconds); unreachable, the limits are not
# enforced (requests pass, a warning is logged) and it is not asked again for RETRY_SECONDS.
RATE_LIMIT_REDIS_URL = env.str("RATE_LIMIT_REDIS_URL", default=REDIS_URL)
RATE_LIMIT_REDIS_TIMEOUT = env.float("RATE_LIMIT_REDIS_TIMEOUT", default=0.25)
RATE_LIMIT_REDIS_RETRY_SECONDS = env.int("RATE_LIMIT_REDIS_RETRY_SECONDS", default=5)
# django-ratelimit counts in this cache alias (Django's RedisCache); "default" stays Django's own
# default (local memory), as before this block.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": RATE_LIMIT_REDIS_URL,
        "KEY_PREFIX": "ratelimit",
        "OPTIONS": {
            "socket_connect_timeout": RATE_LIMIT_REDIS_TIMEOUT,
            "socket_timeout": RATE_LIMIT_REDIS_TIMEOUT,
        },
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True  # a count it cannot read back lets the request through

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------ time and locale
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
# the languages of customer documents (invoice and credit-note PDFs: invoicing/pdf.py); another
# customer locale gets English labels (its numbers, dates and addresses stay its own)
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
# the project's catalogs first, then the portal's: both before the catalogs of the installed apps
# (django.contrib.admin's German "History" is not the portal's)
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "portal" / "locale"]
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]  # instants shown with their time zone

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / ".data" / "static")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if not env.bool("STATIC_MANIFEST", default=not DEBUG):  # hashed names need collectstatic first
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# ------------------------------------------------------------------------------------- security
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Admin, API docs and portal: scripts from this server only (no inline script, no eval; the Swagger
# UI's start-up script is a file of its own), inline styles allowed (the admin's templates and the
# docs' React components set style attributes), images and fonts also as data: URIs (the docs'
# icons). Nothing may frame the pages (as X-Frame-Options).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Admin sign-in against brute force (django-axes; core/login_throttling.py): after
# AXES_FAILURE_LIMIT failures of one username from one client address, that pair is locked for
# AXES_COOLOFF_MINUTES (each further attempt starts the wait again; even the right password is
# refused: a 429 page in the admin's look); a successful sign-in resets the count. The address:
# core/request_ips.py (TRUSTED_PROXY_COUNT). Attempts are kept in PostgreSQL, shown in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username and address
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.request_ips.client_ip"
AXES_LOCKOUT_CALLABLE = "core.login_throttling.lockout_response"
AXES_ENABLE_ADMIN = False  # read-only admins instead (integrations/admin_limits.py)
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, not only the count per username+address
AXES_VERBOSE = False  # no "AXES: BEGIN" banner on every start

# fixer3 (issue 15 review, item 12): messages (the admin shows a new API key's or webhook
# endpoint's secret once through one) stay in the session, server side, never in the signed but
# readable messages cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Browser features no page of ours uses: refused to the pages and anything they embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip

# --------------------------------------------------------------------------------- the company
# Printed on invoices and credit notes.
COMPANY = {
    "name": env.str("COMPANY_NAME", default="Example Billing Ltd"),
    "address": env.str("COMPANY_ADDRESS", default="1 Example Street, 10115 Berlin, Germany"),
    "email": env.str("COMPANY_EMAIL", default="billing@example.com"),
    "tax_id": env.str("COMPANY_TAX_ID", default=""),
    "registration": env.str("COMPANY_REGISTRATION", default=""),
    # the year of a document's number is the year of its issue date in this time zone
    "time_zone": env.str("COMPANY_TIME_ZONE", default=TIME_ZONE),
    "payment_instructions": env.str(
        "COMPANY_PAYMENT_INSTRUCTIONS", default="Bank transfer to IBAN DE00 0000 0000 0000 0000 00"
    ),
}
try:
    ZoneInfo(COMPANY["time_zone"])
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"COMPANY_TIME_ZONE {COMPANY['time_zone']!r} is not an IANA time zone (e.g. Europe/Berlin)."
    ) from None

# ------------------------------------------------------------------------------------- e-mail
# Customer e-mails (notifications/): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.com:587 in production (required there: `check --deploy`
# reports it missing, notifications.E001). Unset: printed to the console (consolemail://) where
# DEBUG is (`make run`), else Django's SMTP default (localhost:25), never silently the console.
# Without a port: 465 for smtp+ssl:// (TLS from the start), 587 for smtp+tls:// and smtps://
# (both STARTTLS in django-environ), 25 for smtp://.
EMAIL_URL = env.str("EMAIL_URL", default="")
_email = env.email_url_config(EMAIL_URL or ("consolemail://" if DEBUG else "smtp://localhost"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_PORT = _email.get("EMAIL_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=formataddr((COMPANY["name"], COMPANY["email"]))
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The customer portal's address in the links it e-mails (invitations, magic login links), e.g.
# https://billing.example.com; empty: the address of the request that asked for the e-mail.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# How many reverse proxies in front of the app append to X-Forwarded-For (core/request_ips.py:
# the portal's sign-in limit per client IP and API keys' IP allow-lists read at most that many
# entries from the right, each written by a proxy of TRUSTED_PROXIES); 0: no proxy, the
# connection's address (REMOTE_ADDR), X-Forwarded-For ignored (a client could write anything).
# PORTAL_TRUSTED_PROXY_COUNT is its former name, still read when TRUSTED_PROXY_COUNT is not set.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
)
# fixer3 (issue 15 review, item 8): which hops may write X-Forwarded-For. The client's address is
# found by walking X-Forwarded-For from the right, starting from the connection's address, only
# while the current hop is in TRUSTED_PROXIES (at most TRUSTED_PROXY_COUNT hops): a client
# connecting directly is its own address whatever it writes. CIDR networks or addresses,
# comma-separated; default loopback and private networks. A proxy on a public address must be
# listed.
DEFAULT_TRUSTED_PROXIES = [
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
]  # fmt: skip
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=DEFAULT_TRUSTED_PROXIES)
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR network."
        ) from None
# Attempts of one e-mail (1, 2, 4 ... minutes apart, at most an hour) before it is `failed`;
# how long a worker holds one it is sending: longer than a task may run (CELERY_TASK_TIME_LIMIT,
# below, read here for its default) by 5 minutes, like BILLING_LEASE_SECONDS (`check --deploy`
# reports a shorter one, notifications.E002); after how long a queued send counts as lost.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_CLAIM_SECONDS = env.int(
    "NOTIFICATIONS_CLAIM_SECONDS", default=env.int("CELERY_TASK_TIME_LIMIT", default=600) + 300
)
NOTIFICATIONS_LOST_AFTER_SECONDS = env.int("NOTIFICATIONS_LOST_AFTER_SECONDS", default=600)
# The upcoming-renewal e-mail: this many days before the renewal, for plans billed by these
# interval units (day, week, month, year); 0 days or no units: none.
NOTIFICATIONS_RENEWAL_NOTICE_DAYS = env.int("NOTIFICATIONS_RENEWAL_NOTICE_DAYS", default=7)
NOTIFICATIONS_RENEWAL_INTERVALS = env.list("NOTIFICATIONS_RENEWAL_INTERVALS", default=["year"])

# ----------------------------------------------------------------------------------- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "billing.api.auth.ApiKeyAuthentication",
        "billing.api.auth.StaffSessionAuthentication",
    ],
    # API keys: everything; staff sessions: the admin's model permissions (core/api/permissions.py)
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
    # per API key / staff user and route class (RATE_LIMITS, above; core/api/throttling.py)
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.RouteClassThrottle"],
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]

SPECTACULAR_SETTINGS = {
    "TITLE": "Billing API",
    "DESCRIPTION": (
        "Customers, catalog, subscriptions, usage events and invoices. Authenticate with "
        "`Authorization: Bearer <api key>`. POST requests accept an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.api.permissions.DocsPermission"],  # API_DOCS_PUBLIC, below
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.declare_errors",  # errors every operation may answer; `limit` bounds
        "core.api.schema.declare_scopes",  # the API key scope each operation requires
        "core.api.throttling_schema.declare_rate_limits",  # 429, Retry-After, X-RateLimit-*
    ],
    "ENUM_NAME_OVERRIDES": {
        "FeatureKindEnum": "catalog.models.Feature.Kind",
        "CouponKindEnum": "catalog.models.Coupon.Kind",
        "PhaseKindEnum": "catalog.models.PhaseKind",
        "BalanceKindEnum": "billing.models.BalanceKind",
        "BalanceAdjustmentKindEnum": ["grant", "adjustment", "prepaid"],
        "ProrationKindEnum": "billing.enums.ProrationKind",
        "LineKindEnum": "invoicing.models.LineKind",
        "PaymentMethodKindEnum": "payments.models.PaymentMethodKind",
        "PaymentMethodStateEnum": "payments.models.PaymentMethodState",
        "PaymentKindEnum": "payments.models.PaymentKind",
        "PaymentStateEnum": "payments.models.PaymentState",  # refunds' states are the same
        "RefundSourceEnum": "payments.models.RefundSource",
        "NotificationStateEnum": "notifications.models.State",
        "NotificationTemplateEnum": "notifications.models.Template",
        "PayeeStateEnum": "payments.models.payouts.PayeeState",
        "PayoutStateEnum": "payments.models.payouts.PayoutState",
        "PayoutMethodStateEnum": "payments.models.payouts.PayoutMethodState",
        "PayoutGatewayEnum": "payments.models.payouts.PayoutGateway",
        "PaymentGatewayEnum": "payments.gateways.registry.GATEWAY_NAMES",
        "PortalSessionStateEnum": "portal.api.access_serializers.STATES",
        "PortalUserStateEnum": "portal.models.PortalUserState",
        "TestClockStatusEnum": "billing.models.TestClockStatus",
        "JobStatusEnum": "core.models.JobStatus",  # jobs and exports' jobs (core.jobs)
        "WebhookDeliveryKindEnum": "integrations.models.DeliveryKind",  # webhooks
        "ExportKindEnum": "backoffice.models.ExportKind",  # accounting exports
        "ImportStatusEnum": "invoicing.models.ImportStatus",  # imports of a history
        "InvoiceStatusEnum": "invoicing.models.InvoiceStatus",  # invoices, imports' invoices
        "SubscriptionStatusEnum": "billing.enums.SubscriptionStatus",  # subscriptions, items
        "BillingPolicyEnum": "catalog.models.BillingPolicy",  # change and cancellation policies
        "ChangeTimingEnum": "billing.enums.ChangeTiming",  # what decided a change's timing
    },
}
# /api/schema/ and /api/docs/: for anyone (true; `make run` sets DEBUG, hence true), or
# for an API key or a staff session only (false, the default in production).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

# The largest one-off invoice line (its absolute amount, in the currency's major units), from the
# API and the admin alike; ONE_OFF_LINE_MAX_BY_CURRENCY=JPY=150000000,KWD=300000 per currency.
ONE_OFF_LINE_MAX = env.int("ONE_OFF_LINE_MAX", default=1_000_000)
ONE_OFF_LINE_MAX_BY_CURRENCY = env.dict(
    "ONE_OFF_LINE_MAX_BY_CURRENCY", cast={"value": int}, default={}
)

# Usage events: how far in the future an event_time may be, and the largest batch.
USAGE_FUTURE_MARGIN_SECONDS = env.int("USAGE_FUTURE_MARGIN_SECONDS", default=300)
USAGE_MAX_BATCH = env.int("USAGE_MAX_BATCH", default=10_000)
# How far back the API takes event times: the current UTC month and the previous N (older usage:
# manage.py usage_backfill). The clock keeps these months' partitions ready; requests create none.
USAGE_MAX_AGE_MONTHS = env.int("USAGE_MAX_AGE_MONTHS", default=2)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=32 * 1024 * 1024)

# Late usage after finalization: corrections are applied at once (true) or wait for finance's
# approval in the admin (false, the default).
CORRECTIONS_AUTO_APPLY = env.bool("CORRECTIONS_AUTO_APPLY", default=False)

# How long an Idempotency-Key is remembered (hours).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)

# Stripe (payments.gateways.stripe_gateway): a secret key (sk_live_..., sk_test_... or a restricted
# rk_... key) enables the adapter; empty (the default) leaves it disabled. The webhook endpoint's
# signing secret (whsec_...) verifies Stripe's signed events.
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# The gateways payments may use: the sandbox "pays" without taking money, so it is on only where
# DEBUG is (make run, tests) unless listed; manual (bank transfers recorded by staff) and Stripe
# (with its key) always.
PAYMENT_GATEWAYS = env.list(
    "PAYMENT_GATEWAYS", default=["sandbox", "manual", "stripe"] if DEBUG else ["manual", "stripe"]
)
SANDBOX_GATEWAY_NAMESPACE = env.str("SANDBOX_GATEWAY_NAMESPACE", default="sandbox")
MANUAL_GATEWAY_NAMESPACE = env.str("MANUAL_GATEWAY_NAMESPACE", default="manual")

# webhooks (integrations/webhooks.py): per-attempt timeout; endpoint URLs must be https and reach a
# public address unless allowed (both default to DEBUG: `make run` and the tests use loopback);
# WEBHOOK_API_VERSION is the envelope's api_version; a secret rotated stays valid for the overlap
# (hours, default 24, at most 168). Deliveries are claimed WEBHOOK_BATCH_SIZE at a time and sent by
# WEBHOOK_CONCURRENCY threads per worker; WEBHOOK_DELIVERY_TASKS tasks are queued per wake-up
# (each claims its own batches: two workers share the work).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
WEBHOOK_API_VERSION = env.str("WEBHOOK_API_VERSION", default="2025-01-01")
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=500)
WEBHOOK_CONCURRENCY = env.int("WEBHOOK_CONCURRENCY", default=8)
WEBHOOK_DELIVERY_TASKS = env.int("WEBHOOK_DELIVERY_TASKS", default=2)
# a replay "since" a time re-sends at most this many events (more: 400 on `since`)
WEBHOOK_REPLAY_MAX = env.int("WEBHOOK_REPLAY_MAX", default=10_000)

# ------------------------------------------------------------------------------------- Celery
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="billing")
# PDFs render on their own queue, so that rendering never delays billing or finalization.
CELERY_PDF_QUEUE = env.str("CELERY_PDF_QUEUE", default="pdf")
# customer e-mails (each may render a PDF): never behind billing's or collection's tasks
CELERY_EMAIL_QUEUE = env.str("CELERY_EMAIL_QUEUE", default="email")
CELERY_TASK_ROUTES = {
    "invoicing.render_pdf": {"queue": CELERY_PDF_QUEUE},
    "invoicing.render_pdfs": {"queue": CELERY_PDF_QUEUE},
    "notifications.send": {"queue": CELERY_EMAIL_QUEUE},
}
# Subscriptions per billing task (and drafts per finalization task): a chunk is billed set-based
# in one transaction (invoicing/services/writer.py).
BILLING_CHUNK_SIZE = env.int("BILLING_CHUNK_SIZE", default=200)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
# An accounting export's own soft time limit (backoffice.export_run; its hard limit is 60 s more):
# a year of a large ledger as XLSX may take longer than the tasks' 540 s.
EXPORT_TIME_LIMIT_SECONDS = env.int("EXPORT_TIME_LIMIT_SECONDS", default=3600)
# What a tick queued is not queued again by later ticks until its task is done, or until this
# long after the tick's instant (a task lost with its worker is then queued again).
BILLING_LEASE_SECONDS = env.int("BILLING_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 300)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CLOCK_TICK_SECONDS = env.int("CLOCK_TICK_SECONDS", default=300)
JOURNAL_SWEEP_SECONDS = env.int("JOURNAL_SWEEP_SECONDS", default=30)
# Jobs (core/jobs.py) whose work was lost (a worker killed, a hard time limit, a task lost by
# the broker) are marked failed by the clock's tick: running ones after this many seconds without
# progress, queued ones after this many seconds without starting; by kind, "default" for the
# kinds not named (a billing run: once its leases run out, later ticks bill what it left).
JOB_STALLED_AFTER_SECONDS: dict[str, dict[str, int]] = {
    "running": {
        "default": env.int("JOB_STALLED_RUNNING_SECONDS", default=3600),
        "billing_run": BILLING_LEASE_SECONDS,
        # an export may run up to its own time limit (one long query shows no progress)
        "export": EXPORT_TIME_LIMIT_SECONDS + 300,
    },
    "queued": {"default": env.int("JOB_STALLED_QUEUED_SECONDS", default=86400)},
}
CELERY_BEAT_SCHEDULE = {
    "billing-clock-tick": {"task": "invoicing.clock_tick", "schedule": CLOCK_TICK_SECONDS},
    "journal-dispatch": {"task": "billing.journal_dispatch", "schedule": JOURNAL_SWEEP_SECONDS},
    "idempotency-keys-purge": {"task": "core.idempotency_keys_purge", "schedule": 3600},
    "reconcile-daily": {"task": "invoicing.reconcile_daily", "schedule": 86400},
}

# ---------------------------------------------------------------------------------- test clocks
# The queue of test clocks' advances (integrations.test_clock_advance); empty: the default one.
TEST_CLOCK_QUEUE = env.str("TEST_CLOCK_QUEUE", default="")
# an advance whose task was lost (a broker outage after its commit, a worker gone) goes on
CELERY_BEAT_SCHEDULE["test-clocks-resume"] = {"task": "integrations.test_clocks_resume",
                                              "schedule": 300}  # fmt: skip

# ------------------------------------------------------------------------- back office bulk work
# A bulk action on more objects than this runs as a background job (core.jobs); up to it, in the
# request. The queue of those jobs' tasks (backoffice.bulk_chunk); empty: the default one.
BULK_SYNC_MAX = env.int("BULK_SYNC_MAX", default=100)
BULK_QUEUE = env.str("BULK_QUEUE", default="")
# objects per chunk task of a bulk job (each task well within CELERY_TASK_SOFT_TIME_LIMIT)
BULK_TASK_CHUNK = env.int("BULK_TASK_CHUNK", default=200)
# An import (invoicing/services/imports.py) billing more periods than this is replayed by a
# Celery task (202 with the run) instead of inside the request.
IMPORT_SYNC_MAX_STEPS = env.int("IMPORT_SYNC_MAX_STEPS", default=200)

# -------------------------------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_ids.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
