"""OpenNRM settings: one file, driven by the environment.

Modes (OPENNRM_MODE):
- ``development`` (default): DEBUG on, development keys allowed, 2FA required unless switched off.
- ``demo``: what ``make run`` uses; demo logins work, 2FA may be skipped.
- ``production``: refuses to start with DEBUG on, default or missing keys, or 2FA off.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENNRM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


MODE = env("OPENNRM_MODE", "development")
if MODE not in {"development", "demo", "production", "test"}:
    raise ImproperlyConfigured(f"OPENNRM_MODE must be development, demo, production or test, not {MODE!r}")
PRODUCTION = MODE == "production"
DEMO_MODE = MODE == "demo"

DEBUG = env_bool("OPENNRM_DEBUG", MODE == "development")

# Development-only keys. Production refuses every one of them (see the checks at the end of this file).
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
DEV_MASTER_KEY = base64.urlsafe_b64encode(b"dev-master-key-not-for-prod-0000").decode()
DEV_AUDIT_KEY = base64.urlsafe_b64encode(b"dev-audit-key-not-for-prod-00000").decode()


def _key_from_env(name: str, default: str) -> str:
    path = env(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return env(name, default) or default


SECRET_KEY = _key_from_env("OPENNRM_SECRET_KEY", DEV_SECRET_KEY)
# Wraps the data keys that encrypt identity fields (envelope encryption).
MASTER_KEY = _key_from_env("OPENNRM_MASTER_KEY", DEV_MASTER_KEY)
# Keys the HMAC chain of the audit log; kept outside the database so that a database writer cannot re-chain.
AUDIT_KEY = _key_from_env("OPENNRM_AUDIT_KEY", DEV_AUDIT_KEY)
AUDIT_CHECKPOINT_DIR = Path(env("OPENNRM_AUDIT_CHECKPOINT_DIR") or VAR_DIR / "audit-checkpoints")

# The cache holds only short-lived counters (the public report's throttle). A file cache is shared by
# every worker process of one machine, so a limit counts across them; tests use memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if MODE == "test"
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("OPENNRM_CACHE_DIR", str(VAR_DIR / "cache")),
        }
    )
}
AUDIT_STREAMS = int(env("OPENNRM_AUDIT_STREAMS", "8") or 8)

REQUIRE_2FA = env_bool("OPENNRM_REQUIRE_2FA", not DEMO_MODE)
if not REQUIRE_2FA and MODE in {"development", "production"}:
    # Two-factor authentication may be skipped in demo mode only.
    raise ImproperlyConfigured(
        "OpenNRM refuses to start: two-factor authentication may be switched off only in demo mode."
    )
COUNTRY_CODE = env("OPENNRM_COUNTRY", "RS") or "RS"

ALLOWED_HOSTS = [
    h.strip()
    for h in (env("OPENNRM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") or "").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("OPENNRM_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "opennrm.core",
    "opennrm.audit",
    "opennrm.accounts",
    "opennrm.people",
    "opennrm.cases",
    "opennrm.intake",
    "opennrm.identification",
    "opennrm.assistance",
    "opennrm.shelters",
    "opennrm.residence",
    "opennrm.protection",
    "opennrm.notifications",
    "opennrm.home",
    "opennrm.api",
    "opennrm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "opennrm.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opennrm.core.middleware.RequestContextMiddleware",
    "opennrm.audit.middleware.AuditBatchMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opennrm.home.context_processors.navigation",
                "opennrm.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'opennrm.sqlite3'}") or "",
        conn_max_age=int(env("OPENNRM_DB_CONN_MAX_AGE", "60") or 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (timeout) instead of failing
    # half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("OPENNRM_DB_PREPARED", True):
    # Server-side parameters let psycopg prepare a statement on the server after a few runs on the same
    # connection: PostgreSQL then plans the case page's queries once per connection, not once per page
    # (planning cost more than running them).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "opennrm.accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = int(env("OPENNRM_LOGIN_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = 0.5  # hours
# Lock an account after repeated failures from anywhere, and an address that tries many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("OPENNRM_AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

OTP_TOTP_ISSUER = "OpenNRM"

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; keep Django default.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "sr"
LANGUAGES = [
    ("sr", _("Serbian (Cyrillic)")),
    ("sr-latn", _("Serbian (Latin)")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("OPENNRM_TIME_ZONE", "Europe/Belgrade") or "Europe/Belgrade"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

EMAIL_BACKEND = env("OPENNRM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("OPENNRM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("OPENNRM_EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("OPENNRM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("OPENNRM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OPENNRM_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("OPENNRM_EMAIL_FROM", "opennrm@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opennrm.api.authentication.ApiTokenAuthentication",
        "opennrm.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON (the group registration also takes a CSV upload, and says so itself).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "opennrm.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "opennrm.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "opennrm.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenNRM API",
    "DESCRIPTION": "National Referral Mechanism for victims of trafficking in human beings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "opennrm.api.schema.version_required_on_patch",
    ],
    # One name per choice set that several apps use, and distinct names for different "kind" sets.
    "ENUM_NAME_OVERRIDES": {
        "ExploitationFormEnum": "opennrm.cases.models.ExploitationForm",
        "ConsentHowEnum": "opennrm.identification.models.ConsentHow",
        "ProtectionMeasureKindEnum": "opennrm.protection.models.MeasureKind",
        "FacilityKindEnum": "opennrm.shelters.models.FacilityKind",
    },
}
API_TOKEN_DEFAULT_DAYS = int(env("OPENNRM_API_TOKEN_DAYS", "90") or 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("OPENNRM_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Benchmark harness: exposes a bare Django view on the same server as the baseline. Never in production.
BENCH_BARE_VIEW = env_bool("OPENNRM_BENCH", False) and not PRODUCTION

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("OPENNRM_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("OPENNRM_HSTS_SECONDS", "31536000") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

    _problems = []
    if DEBUG:
        _problems.append("DEBUG is on")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        _problems.append("OPENNRM_SECRET_KEY is missing or the development default")
    if MASTER_KEY == DEV_MASTER_KEY:
        _problems.append("OPENNRM_MASTER_KEY is missing or the development default")
    if AUDIT_KEY == DEV_AUDIT_KEY:
        _problems.append("OPENNRM_AUDIT_KEY is missing or the development default")
    if not REQUIRE_2FA:
        _problems.append("two-factor authentication is switched off")
    if _problems:
        raise ImproperlyConfigured("OpenNRM refuses to start in production: " + "; ".join(_problems) + ".")
