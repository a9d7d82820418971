"""gridgov settings, read from the environment.

Defaults give the embedded mode: one SQLite file, Celery tasks run inline.
DATABASE_URL (PostgreSQL) and REDIS_URL switch to the production parts;
GRIDGOV_PRODUCTION=1 turns on the hardened settings.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# Files the app writes: the SQLite database, collected static files, uploads. Reading the settings
# creates nothing; `make migrate` creates the directory (collectstatic and uploads make their own).
VAR_DIR = Path(os.environ.get("GRIDGOV_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = os.environ.get("GRIDGOV_PRODUCTION", "") == "1"
DEBUG = not PRODUCTION and os.environ.get("GRIDGOV_DEBUG", "1") == "1"

if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]  # no default in production, on purpose
    ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    # A year of HSTS by default, subdomains included; 0 turns it off (e.g. while first trying HTTPS on
    # an intranet), SECURE_HSTS_INCLUDE_SUBDOMAINS=0 leaves subdomains out (check --deploy then warns).
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
    CSRF_COOKIE_HTTPONLY = True
    # The HSTS preload list is for names on the public internet; an intranet host cannot be on it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-gridgov")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]

# In production SECRET_KEY must be at least 50 characters with at least 5 different ones (system
# check gridgov.E010, governance.apps).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5

# Personal data keys (GRIDGOV_PII_KEY, GRIDGOV_PII_HASH_KEY, parties.pii): derived from SECRET_KEY when
# unset only in development (DEBUG on, not production), with a system check warning (gridgov.W001);
# anywhere else the app refuses to start without them (gridgov.E001). Decided here, from the
# environment, so that a test runner turning DEBUG off does not change it.
PII_DEV_KEYS_ALLOWED = DEBUG
# Exact look-ups by ID number or phone (each audited) a user may make per minute; past it, HTTP 429.
PII_LOOKUPS_PER_MINUTE = int(os.environ.get("GRIDGOV_PII_LOOKUPS_PER_MINUTE", "30"))

# Content-Security-Policy (django-csp), on every response: scripts, styles, fonts and images from the
# app itself only — no 'unsafe-inline', no eval, no CDN (templates carry no <script> body, <style>,
# style="…" or on…= handler: governance/tests/test_content_security_policy.py crawls every role's pages).
# GRIDGOV_CSP_IMG_SRC adds image sources (e.g. the intranet's map tile server), space-separated.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *os.environ.get("GRIDGOV_CSP_IMG_SRC", "").split()],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database, never in Redis: signed-in users stay signed in while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Sessions (governance.identity.SessionLimitsMiddleware): signed out after GRIDGOV_SESSION_IDLE_MINUTES
# without a request, and GRIDGOV_SESSION_HOURS after signing in whatever happens (the cookie's age too);
# GRIDGOV_ONE_SESSION=1: a new sign-in ends the account's other session.
SESSION_IDLE_MINUTES = int(os.environ.get("GRIDGOV_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(float(os.environ.get("GRIDGOV_SESSION_HOURS", "8")) * 3600)  # one working day
ONE_SESSION_PER_ACCOUNT = os.environ.get("GRIDGOV_ONE_SESSION", "0") == "1"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: the address is REMOTE_ADDR).
# The client address of lockouts and the audit trail is governance.addresses.client_address.
TRUSTED_PROXIES = int(os.environ.get("GRIDGOV_TRUSTED_PROXIES", "0"))
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the app (no CDN)
    "guardian",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Ours, from the ground floor up: each imports only the apps listed before it (portal/tests/test_layers.py).
    "governance",
    "parties",
    "grids",
    "disputes",
    "rosters",
    "reports",
    "portal",
    "api",  # /api/v1/ and /open311/v2/: beside portal on the top floor, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit context (address, request) for record_audit; refused requests (403, 429) audited.
    "governance.middleware.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "governance.identity.SessionLimitsMiddleware",
    "governance.identity.SecondFactorRequiredMiddleware",
    "governance.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "governance.middleware.TransientDatabaseErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the sign-in page with its message (429)
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
                "django.template.context_processors.i18n",
                "governance.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection is checked (SELECT 1) before its first use in each request or task, so a
        # restarted PostgreSQL costs each process one reconnect, not an error per dead connection.
        conn_health_checks=True,
    )
}
# Django's backends with the audit chain's pre-commit step (governance.db): every transaction takes the
# chain's lock last, right before COMMIT.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "governance.db.postgresql",
    "django.db.backends.sqlite3": "governance.db.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a small district: several people and the Celery worker write at
    # once. WAL lets readers go on during a write; IMMEDIATE makes every transaction take the write
    # lock when it begins, so a writer that must wait queues for up to `timeout` seconds (60: twenty
    # writers at once on a loaded two-core machine queued past 20 s) instead of
    # failing with "database is locked" (SQLite cannot upgrade a deferred read to a write while
    # another connection writes).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 60,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests run on a file too (not in memory), so that their writers lock as in production; one
    # file per test process, in the system's temporary folder.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"gridgov-test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "governance.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users see nothing

# Passwords (governance.passwords): at least 10 characters of three of the four classes, not the
# username, none of the last GRIDGOV_PASSWORD_HISTORY; replaced after GRIDGOV_PASSWORD_MAX_AGE_DAYS
# (0: never); an issued (initial or reset) password no longer signs in after GRIDGOV_ISSUED_PASSWORD_DAYS.
PASSWORD_HISTORY = int(os.environ.get("GRIDGOV_PASSWORD_HISTORY", "5"))
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("GRIDGOV_PASSWORD_MAX_AGE_DAYS", "90"))
ISSUED_PASSWORD_DAYS = int(os.environ.get("GRIDGOV_ISSUED_PASSWORD_DAYS", "7"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "governance.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "governance.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "governance.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "governance.passwords.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY}},
]

# Lockout (django-axes): GRIDGOV_LOCKOUT_FAILURES failed sign-ins on one account, or from one address
# (whatever the accounts), lock it for GRIDGOV_LOCKOUT_MINUTES; a security administrator may unlock
# sooner (/security/lockouts/). Failed second-factor codes count as failures of the account.
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDGOV_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GRIDGOV_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one: stuffing one account, or one address trying many
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # locked for the cool-off from the lockout, not from each try
AXES_LOCKOUT_CALLABLE = "governance.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "governance.addresses.client_address"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are on the audit trail (governance.identity)
AXES_VERBOSE = False
# Masked in axes' records of failed attempts and its logs (the password always is): codes, the CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "token", "csrfmiddlewaretoken"]
# Second factor (django-otp): TOTP apps show this name beside the account.
OTP_TOTP_ISSUER = "gridgov"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GRIDGOV_MEDIA_ROOT", VAR_DIR / "media"))

# Roster imports on PostgreSQL compare and write this many batches at once, each in its own
# transaction and connection (rosters.engine.in_threads). One per core the database can spare.
ROSTER_IMPORT_WRITERS = int(os.environ.get("GRIDGOV_IMPORT_WRITERS", "2"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or os.environ.get("GRIDGOV_STATIC_MANIFEST") == "1"  # make serve: hashed names, cached for ever
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Celery: Redis when REDIS_URL is set (production). Without it, `make run` sets GRIDGOV_CELERY_DIR
# and runs a real worker with beat on kombu's filesystem transport (a folder under var/: no server
# to install); with neither (tests, a bare manage.py), tasks run inline in the web process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DIR = os.environ.get("GRIDGOV_CELERY_DIR", "")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "gridgov")
# A task's message is acknowledged when the task has finished, not when it starts, and a worker killed
# mid-task (SIGKILL, out of memory) gives it back: the work is run again, never lost. Every task is
# idempotent for that (README "Faults"): run twice, it writes once. One task at a time per process, so
# a killed worker holds back no prefetched messages.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The pages never wait on the broker: a task queued by a write is first a row of the outbox, in the
# write's own transaction (governance.outbox); sending it after the commit tries once, briefly.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
    # Redis hands an unacknowledged message to another worker after this many seconds: longer than
    # the longest task (a 10-million-row roster import, a city's year export), or a task still running
    # would be started twice. A killed worker's jobs do not wait for it: a starting worker resumes them
    # (rosters.tasks, disputes.tasks.exports, reports.tasks' catch-up).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("GRIDGOV_CELERY_VISIBILITY_TIMEOUT", "7200")),
        # kombu looks for such messages every 10 s but, by default, scans Redis only on every 10th look:
        # a message whose time ran out waited up to 100 s more, and a worker's first look, made as it
        # starts, could fall just before. One small ZRANGE every 10 s scans on every look.
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
    CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 30
elif CELERY_DIR:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": os.path.join(CELERY_DIR, "queue"),
        "data_folder_out": os.path.join(CELERY_DIR, "queue"),
        "processed_folder": os.path.join(CELERY_DIR, "processed"),
        "control_folder": os.path.join(CELERY_DIR, "control"),  # kombu's default is ./control
        "store_processed": False,
    }
    # Nothing waits for a task's return value here (progress lives in the database): keep none.
    CELERY_TASK_IGNORE_RESULT = True
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "governance.tasks.heartbeat", "schedule": crontab(minute="*/5")},
    # Tasks queued while Redis was down (governance.outbox), sent once it is back.
    "task-outbox-relay": {"task": "governance.tasks.relay_outbox", "schedule": timedelta(seconds=30)},
    "case-supervision": {"task": "disputes.tasks.cases.supervise_overdue_cases", "schedule": crontab(minute="*/10")},
    "dispute-follow-up-reminders": {
        "task": "disputes.tasks.mediation.remind_follow_ups", "schedule": crontab(minute=5, hour="8-17"),
    },
    "case-export-retention": {"task": "disputes.tasks.exports.purge_expired_exports", "schedule": crontab(minute=40)},
    "roster-upload-retention": {"task": "rosters.tasks.purge_expired_uploads", "schedule": crontab(minute=20, hour=3)},
    # The reporting cycles (八个一), Asia/Shanghai: each on its first day, for the period before (reports.tasks).
    "reports-monthly": {"task": "reports.tasks.run_monthly_cycle", "schedule": crontab(minute=0, hour=2, day_of_month=1)},
    "reports-quarterly": {
        "task": "reports.tasks.run_quarterly_cycle", "schedule": crontab(minute=30, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "reports-half-year": {
        "task": "reports.tasks.run_half_year_cycle", "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year="1,7"),
    },
    "reports-yearly": {
        "task": "reports.tasks.run_yearly_cycle", "schedule": crontab(minute=30, hour=3, day_of_month=1, month_of_year=1),
    },
    "reports-catch-up": {"task": "reports.tasks.catch_up_cycles", "schedule": crontab(minute=45)},
    # Nightly: the case summaries checked against the raw rows (drift rebuilt and reported), then the
    # registers at a glance recounted for the dashboards.
    "case-summaries-reconcile": {"task": "reports.tasks.reconcile_case_summaries", "schedule": crontab(minute=30, hour=1)},
    "register-tallies": {"task": "reports.tasks.count_register_tallies", "schedule": crontab(minute=50, hour=1)},
    "audit-retention": {"task": "governance.tasks.archive_audit_trail", "schedule": crontab(minute=10, hour=4)},
}
# The audit trail is kept this many days (never fewer than 180), then archived to AUDIT_ARCHIVE_DIR
# (gzip'd JSON lines with the chain's hashes) and deleted by the daily audit-retention job.
AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("GRIDGOV_AUDIT_RETENTION_DAYS", "180")))
AUDIT_ARCHIVE_DIR = Path(os.environ.get("GRIDGOV_AUDIT_ARCHIVE_DIR", VAR_DIR / "audit-archive"))
# The audit's source address is governance.addresses.client_address (GRIDGOV_TRUSTED_PROXIES).
# Uploaded roster files are deleted this many days after their job finished (0: kept forever);
# the import history keeps its row, counts and error file.
ROSTER_UPLOAD_RETENTION_DAYS = int(os.environ.get("GRIDGOV_ROSTER_RETENTION_DAYS", "30"))

# The case list's export: up to this many rows the request writes the file; above, a worker does
# (disputes.tasks.exports) and the file is kept this many hours for its requester.
CASE_EXPORT_INLINE_ROWS = int(os.environ.get("GRIDGOV_EXPORT_INLINE_ROWS", "5000"))
CASE_EXPORT_KEEP_HOURS = int(os.environ.get("GRIDGOV_EXPORT_KEEP_HOURS", "24"))

# Redis when REDIS_URL is set, through governance.cache.FallbackRedisCache: while Redis cannot be
# reached, each process uses its own memory instead (throttles, look-up limits, the system page's
# flag keep working, per process), logs it, and tries Redis again every few seconds.
CACHES = {
    "default": (
        {
            "BACKEND": "governance.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: DRF's browsable API (HTML pages with a <style> block, style="…" and jQuery) breaks the
    # strict CSP; the Swagger UI at /api/v1/docs/ is the browsable documentation (issue 16).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    # /api/v1/ (api.v1.base.ApiView): per user and per token, on the cache (Redis in production).
    "DEFAULT_THROTTLE_RATES": {
        "api_user": os.environ.get("GRIDGOV_API_USER_RATE", "600/min"),
        "api_token": os.environ.get("GRIDGOV_API_TOKEN_RATE", "300/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "gridgov API",
    "DESCRIPTION": "网格化社会治理平台 API v1。所有接口与页面同一套辖区与权限规则；令牌见 /api/tokens/。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_v1"],
    "DEFAULT_GENERATOR_CLASS": "drf_spectacular.generators.SchemaGenerator",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "disputes.models.cases.Status",
        "CaseKindEnum": "disputes.models.cases.CaseKind",
        "UnitKindEnum": "parties.models.UnitKind",
        "VisitKindEnum": "grids.models.VisitKind",
        "SnapshotStatusEnum": "reports.models.SnapshotStatus",
        "LevelEnum": "governance.roles.Level",
        "RiskLevelEnum": "disputes.models.mediation.RiskLevel",
        "PartyInputKindEnum": "disputes.models.mediation.PartyKind",  # its name before the add-party input shared it
        "RiskActionEnum": ["close", "review", "update"],
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Demo logins share this password; seed_demo prints it. Never used in production. It passes the
# password rules (AUTH_PASSWORD_VALIDATORS).
DEMO_PASSWORD = os.environ.get("GRIDGOV_DEMO_PASSWORD", "Gridgov-2026")

# The map's base layer (static/js/map.js). Unset: no tiles — the grid boundaries and case points
# are drawn on a blank background (government intranets run their own tile servers: 天地图 or an
# offline one). The URL is a Leaflet template ({z}/{x}/{y}, {s} for a subdomain); MAP_TILE_CRS is the
# coordinate system its tiles are drawn in: points stored as WGS-84 are converted for display
# (governance/geo.py, the same algorithm in map.js). The tile host must be allowed by the CSP's img-src.
MAP_TILE_URL = os.environ.get("GRIDGOV_MAP_TILE_URL", "")
MAP_TILE_CRS = os.environ.get("GRIDGOV_MAP_TILE_CRS", "wgs84").strip().lower()
if MAP_TILE_CRS not in ("wgs84", "gcj02", "bd09", "cgcs2000"):
    raise ImproperlyConfigured("GRIDGOV_MAP_TILE_CRS must be one of wgs84, gcj02, bd09, cgcs2000")
MAP_TILE_ATTRIBUTION = os.environ.get("GRIDGOV_MAP_TILE_ATTRIBUTION", "")
MAP_TILE_MAX_ZOOM = int(os.environ.get("GRIDGOV_MAP_MAX_ZOOM", "18"))
MAP_TILE_SUBDOMAINS = os.environ.get("GRIDGOV_MAP_TILE_SUBDOMAINS", "")


def _tile_sources(url: str) -> list[str]:
    """The CSP img-src sources the tile URL needs: its origin, a wildcard host for a {s} subdomain."""
    from urllib.parse import urlsplit

    if not url:
        return []
    parts = urlsplit(url.replace("{s}", "s"))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc
    if "{s}" in url.split("//", 1)[-1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return [f"{parts.scheme}://{host}"]


MAP_TILE_CSP_SOURCES = _tile_sources(MAP_TILE_URL)  # for the Content-Security-Policy's img-src
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += [s for s in MAP_TILE_CSP_SOURCES if s not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]]
