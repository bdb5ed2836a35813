"""PeerLearn settings.

Two profiles, chosen by the environment:

* **embedded** (default): SQLite in WAL mode, in-memory channel layer, background jobs inside the
  web process (``apps/core/background.py``), file/console email, local media, sandbox payments.
  Needs nothing installed beyond the Python packages.
* **production**: set ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``. Redis then backs the
  channel layer, the cache and the Celery broker, and missing secrets fail loudly.

Every variable is listed in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from apps.core.env import env_bool, env_choice, env_int, env_list, env_required, env_str
from apps.core.net import client_ip

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PEERLEARN_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
PROFILE = "production" if DATABASE_URL and REDIS_URL else "embedded"
if bool(DATABASE_URL) != bool(REDIS_URL) and not env_bool("PEERLEARN_ALLOW_PARTIAL_PROFILE"):
    raise ImproperlyConfigured(
        "Set both DATABASE_URL and REDIS_URL for the production profile, or neither for the "
        "embedded one (PEERLEARN_ALLOW_PARTIAL_PROFILE=true allows PostgreSQL without Redis, "
        "which the test suite uses)."
    )
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
else:
    # Embedded profile only: a fixed development key so sessions survive restarts locally.
    SECRET_KEY = env_str("SECRET_KEY", "embedded-dev-only-" + "k3y-not-for-production-" * 3)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "peerlearn.staticfiles.PeerLearnStaticFilesConfig",
    "django.contrib.humanize",
    "channels",
    "django_ratelimit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "apps.core",
    "apps.audit",
    "apps.taxonomy",
    "apps.accounts",
    "apps.catalog",
    "apps.bookings",
    "apps.payments",
    "apps.requests",
    "apps.rooms",
    "apps.notifications",
    "apps.progress",
    "apps.workflows",
    "apps.dashboards",
    "apps.site",
]

# django-ratelimit 4.1 predates Django's built-in RedisCache and calls it "not officially
# supported"; it has the atomic incr the counters rely on (as does LocMemCache).
SILENCED_SYSTEM_CHECKS: list[str] = ["django_ratelimit.W001"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.middleware.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.middleware.AdminTwoFactorMiddleware",
    "apps.core.middleware.UserTimezoneMiddleware",
    "apps.core.middleware.PrivatePagesMiddleware",
]
# Pages and JSON are compressed by nginx in production and by the app itself where nothing stands
# in front of it (the embedded profile, `make run`).
COMPRESS_PAGES = env_bool("COMPRESS_PAGES", default=not PRODUCTION)
if COMPRESS_PAGES:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "apps.core.middleware.CompressPagesMiddleware",
    )

ROOT_URLCONF = "peerlearn.urls"
WSGI_APPLICATION = "peerlearn.wsgi.application"
ASGI_APPLICATION = "peerlearn.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.dashboards.context_processors.site",
            ],
            "builtins": ["apps.core.templatetags.ui"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters bound by the server, and a statement this connection has run twice is
        # prepared: PostgreSQL then skips parsing and (usually) planning it again. Under the load
        # test, planning took more time than executing. Turn off behind a pooler that cannot keep
        # prepared statements (PgBouncer in transaction mode before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "peerlearn.sqlite3")),
            "OPTIONS": {
                # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue on the busy timeout instead of deadlocking.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channels, Celery ------------------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's layer with batched group sends and receives (apps/core/layers.py).
            "BACKEND": "apps.core.layers.RedisChannelLayer",
            # socket_timeout=None: redis-py 8 defaults it to 5 s, which aborts the layer's blocking
            # BZPOPMIN and tears every idle consumer down (django/channels_redis#422).
            # max_connections: redis-py 8's pool defaults to 100 and raises when exhausted, which a
            # burst of a few hundred WebSocket connects/disconnects per process reaches.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # Sessions read from Redis, written through to the database: a signed-in page view no longer
    # spends a database query on its session (a miss, e.g. after a Redis restart, reads the row).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # A task is acknowledged after it ran, so a worker killed mid-task has it re-delivered; every
    # task is idempotent (a claimed row, a stamped outbox email), so the second run has no effect.
    CELERY_TASK_ACKS_LATE = True
    CELERY_TASK_REJECT_ON_WORKER_LOST = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One web process serves every request in this profile, so its local-memory cache is the
    # shared cache django-ratelimit asks for (production counts in Redis).
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
    # Channels' in-memory layer without its per-message sweep of every group (apps/core/layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "apps.core.layers.InMemoryChannelLayer"}}
    # No broker: the web process runs the background work itself (apps/core/background.py).
    CELERY_BROKER_URL = "memory://"
# Where background work runs: "celery" (a worker on the Redis broker, production) or "inprocess"
# (a runner inside the web server, the embedded profile: nothing to install, nothing to lose).
BACKGROUND = env_choice("PEERLEARN_BACKGROUND", ("celery", "inprocess"), default="celery" if REDIS_URL else "inprocess")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery's Django fix-up closes every database connection before and after each task unless this
# is set, so each task (an email, a reminder tick) opened a new PostgreSQL connection: a backend
# process forked and initialised per task, the largest part of a short task's cost. With it the
# fix-up closes them only every this many tasks; in between peerlearn/celery.py applies Django's
# own rule around each task, as around each request (CONN_MAX_AGE, health check, broken ones).
CELERY_DB_REUSE_MAX = 1000
# The periodic jobs are scheduled in peerlearn/celery.py, which imports each task.

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
RATE_LIMITS_ON = not env_bool("PEERLEARN_DISABLE_RATE_LIMITS", default=False)
if not RATE_LIMITS_ON:
    ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]
# Reverse proxies in front of the app whose X-Forwarded-For entry we trust (nginx: 1). 0 = none.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# django-ratelimit for our own endpoints (allauth's pages use ACCOUNT_RATE_LIMITS above).
RATELIMIT_ENABLE = RATE_LIMITS_ON
RATELIMIT_IP_META_KEY = client_ip
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PeerLearn"
# Accept the code of the neighbouring 30 s step too, as authenticator apps expect (clock drift, a
# code typed as the window turns).
MFA_TOTP_TOLERANCE = 1

# --- I18n / time ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
if not PRODUCTION:  # served through the finders; the empty root only silences WhiteNoise
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files only their owners may see (whiteboard snapshots): outside MEDIA_ROOT, so neither nginx nor
# the development media route can serve them; views check access and stream them.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=not PRODUCTION)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_VIDEO_UPLOAD_BYTES = 50 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------------
EMAIL_URL_BACKEND = env_str("EMAIL_BACKEND", "")
if EMAIL_URL_BACKEND:
    EMAIL_BACKEND = EMAIL_URL_BACKEND
elif PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
# An unreachable mail server must not hold a background worker (or an outbox claim) for ever.
EMAIL_TIMEOUT = 20
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PeerLearn <no-reply@peerlearn.local>")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, "ws:", "wss:"] if not PRODUCTION else [CSP.SELF, "wss:"],
    "frame-src": [CSP.SELF, "https://api.razorpay.com"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

ADMIN_URL = env_str("DJANGO_ADMIN_URL", "django-admin/").strip("/") + "/"
# bench/http.py sets this to route /bench/bare/ (a view with no DB work) as its baseline.
BENCH_ENDPOINTS = env_bool("PEERLEARN_BENCH", default=False)

# --- Business settings ------------------------------------------------------------------------
PLATFORM_FEE_PERCENT = env_int("PLATFORM_FEE_PERCENT", 15, minimum=0, maximum=100)
RAZORPAY_KEY_ID = env_str("RAZORPAY_KEY_ID")
RAZORPAY_KEY_SECRET = env_str("RAZORPAY_KEY_SECRET")
RAZORPAY_WEBHOOK_SECRET = env_str("RAZORPAY_WEBHOOK_SECRET")
# The RazorpayX business account number mentor payouts are made from (live keys only).
RAZORPAYX_ACCOUNT_NUMBER = env_str("RAZORPAYX_ACCOUNT_NUMBER")
PAYMENTS_SANDBOX = not (RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET)
if PRODUCTION and PAYMENTS_SANDBOX and not env_bool("ALLOW_SANDBOX_PAYMENTS", default=False):
    raise ImproperlyConfigured(
        "RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET must be set in production "
        "(or ALLOW_SANDBOX_PAYMENTS=true for a staging deployment)."
    )
if not PAYMENTS_SANDBOX:
    # Real Razorpay Checkout: its script, its popup frames and its API calls from the page.
    SECURE_CSP["script-src"] = [*SECURE_CSP["script-src"], "https://checkout.razorpay.com"]
    SECURE_CSP["frame-src"] = [*SECURE_CSP["frame-src"], "https://api.razorpay.com", "https://checkout.razorpay.com"]
    SECURE_CSP["connect-src"] = [
        *SECURE_CSP["connect-src"],
        "https://lumberjack.razorpay.com",
        "https://api.razorpay.com",
    ]
if PAYMENTS_SANDBOX:
    # The emulated gateway is an app of its own: its tables, routes and tasks exist only here, so a
    # production database with real keys has none of them.
    INSTALLED_APPS.append("apps.payments_sandbox")
# The sandbox gateway calls the emulated API as plain functions by default; "http" sends the
# official SDK's requests over the network to SITE_URL instead (e.g. a separate sandbox host).
PAYMENTS_SANDBOX_TRANSPORT = env_str("PAYMENTS_SANDBOX_TRANSPORT", "inprocess")
if PAYMENTS_SANDBOX_TRANSPORT not in ("inprocess", "http"):
    raise ImproperlyConfigured("PAYMENTS_SANDBOX_TRANSPORT must be 'inprocess' or 'http'.")
PAYMENTS_SANDBOX_WEBHOOKS = env_bool("PAYMENTS_SANDBOX_WEBHOOKS", default=True)
STUN_URLS = env_list("STUN_URLS", "")
TURN_URLS = env_list("TURN_URLS", "")
TURN_SECRET = env_str("TURN_SECRET")
TURN_CREDENTIAL_TTL = env_int("TURN_CREDENTIAL_TTL", 3600, minimum=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # One line per task run, every 30 s per job: only failures are worth the console.
        "celery.app.trace": {"level": "WARNING"},
    },
}
