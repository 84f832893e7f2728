"""One settings file, read from the environment (healthchecks style).

Defaults give a working SQLite install with nothing configured; production sets
DATABASE_URL, ALLOWED_HOSTS and, ideally, SECRET_KEY.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty both mean the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("SHUPING_DATA_DIR", str(BASE_DIR.parent / "data"))).resolve()


def _private_dir(path: Path) -> Path:
    """The data folder holds the database, the secret key and uploads: only the
    server's own user may enter it, from the moment it exists (an older, open one
    is closed too)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
        path.chmod(0o700)
    return path


def _private_file(path: Path, content: str = "") -> Path:
    """Create `path` readable by its owner only (no window where it is world-readable)."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
    return path


_private_dir(DATA_DIR)


def _secret_key() -> str:
    """Use SECRET_KEY when given, else one generated once and kept in the data folder."""
    if key := env_str("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        _private_file(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Listed so its docs page renders with the bundled Swagger UI, never a CDN.
    "ninja",
    "shuping.lib",
    "shuping.audit",
    "shuping.organizations",
    "shuping.accounts",
    "shuping.rounds",
    "shuping.reports",
    "shuping.meetings",
    "shuping.ballots",
    "django_tasks",
    "django_tasks_db",
    "shuping.filing",
    "shuping.oversight",
    "shuping.inspections",
    "shuping.assessment",
    "shuping.results",
    "shuping.rectification",
    "shuping.member_review",
]

# Sessions, sign-in and messages as Django's own, passed over on the phone path only
# (ballots/middleware.py).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shuping.ballots.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shuping.ballots.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "shuping.ballots.middleware.AuthenticationMiddleware",
    "shuping.ballots.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shuping.ballots.middleware.PhoneFormMiddleware",
    "shuping.lib.middleware.InputHardeningMiddleware",
]

ROOT_URLCONF = "shuping.urls"
WSGI_APPLICATION = "shuping.wsgi.application"

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
                "shuping.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shuping.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "60")),
        # Off by default: the check is a round trip at the start of every request; a
        # connection that died (database restarted) fails one request and is then
        # dropped by Django at the request's end anyway.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # The few statements sent apart from their parameters (lib/dbcursor.py: the phone
    # path's token lookup and cast) are prepared once per connection after psycopg's
    # default five runs, so PostgreSQL stops parsing and planning them for every ballot:
    # 13% more ballots per second at a meeting's peak (bench/ballots.py, interleaved).
    # The ORM's statements are unaffected (Django binds them client-side, never prepared).
    # Off (0) behind PgBouncer in transaction mode older than 1.21.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates its file with the process umask (often world-readable) and gives
    # the -wal and -shm files the same mode; created here first, all three are 0600.
    if str(DATABASES["default"]["NAME"]).startswith(str(DATA_DIR)):
        _private_file(Path(DATABASES["default"]["NAME"]))
    # WAL lets readers (tally watchers) proceed while one writer commits;
    # IMMEDIATE avoids the deadlock-prone lock upgrade of a deferred transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            # Deleted rows (a ballot's sealed sheets at close) are overwritten, not left behind.
            " PRAGMA secure_delete=ON;"
        ),
    }

# Long work (the filing package) runs off the request: queued in the database, run by
# `shuping db_worker`, which `shuping serve` and `shuping demo` start alongside the web server.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins per (username, client address) before a cool-down.
LOGIN_MAX_FAILURES = int(env_str("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env_str("LOGIN_LOCKOUT_SECONDS", "900"))
# Failures from one address over all usernames (password spraying), and for one username
# over all addresses (distributed guessing; high, so no single attacker locks an account).
LOGIN_MAX_FAILURES_PER_ADDRESS = int(env_str("LOGIN_MAX_FAILURES_PER_ADDRESS", "30"))
LOGIN_MAX_FAILURES_PER_USERNAME = int(env_str("LOGIN_MAX_FAILURES_PER_USERNAME", "50"))
# Behind a reverse proxy: the header it sets and the proxies trusted to set it.
CLIENT_ADDRESS_HEADER = env_str("CLIENT_ADDRESS_HEADER")
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# The cache holds sign-in throttling counters and the live turnout: state several server
# processes must share. On PostgreSQL it lives in the database (`shuping serve` creates
# the table), so two servers behind a proxy behave as one; CACHE=locmem keeps it in
# each process (one server only).
CACHE = env_str(
    "CACHE",
    "database" if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" else "locmem",
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shuping_cache",
    }
    if CACHE == "database"
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Memory each process may spend on open ballots' sheets and phone pages (ballots/sheets.py).
BALLOT_SHEET_CACHE_MB = int(env_str("BALLOT_SHEET_CACHE_MB", "64"))

# The UI is Chinese whatever the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(mode=0o700, exist_ok=True)  # WhiteNoise warns on every request when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # WhiteNoise's compressed manifest storage, its URLs remembered per process.
            "shuping.lib.staticfiles.ManifestStaticStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads, filing packages and collected static files: the owner's only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shuping@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0"))
# Once HSTS is switched on, cover subdomains and allow preloading unless told otherwise.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only our own files run, nothing is framed or
# posted elsewhere. Pages carry no inline <script>, no on*= handlers and no style=""
# attributes; data-driven sizes (vote bars) are data-* attributes a static script applies,
# so style-src needs no 'unsafe-inline' either. shuping/tests/test_csp.py crawls every role's
# pages and fails on anything that would need it. The projector alone widens
# frame-ancestors to 'self' (the host's console previews it in a frame).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Ballot tokens travel in URLs; request logs must never keep one (ballots/logging.py).
    "filters": {"ballot_tokens": {"()": "shuping.ballots.logging.RedactBallotTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["ballot_tokens"]}},
    "loggers": {
        "django.request": {"filters": ["ballot_tokens"]},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["ballot_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
