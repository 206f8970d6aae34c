"""Dockside settings: one file, configured through environment variables.

Every variable is optional; the defaults are safe for a single user on
127.0.0.1. See README.md, "Configuration".
"""

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn `sqlite:///path` or `postgres://user:pass@host:port/name` into DATABASES['default']."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # As dj-database-url: sqlite:////abs/path.db, sqlite:///relative.db, sqlite://:memory:
        path = unquote(parts.path)[1:]
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or ":memory:"}
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite:// or postgres://)"
    )


def persistent_secret_key(data_dir: Path) -> str:
    """A random key generated on first start and kept in the data directory."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, written = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")  # mode 0600
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:  # whole or not at all; when two processes start together, the first key stays
            os.link(written, key_file)
            os.unlink(written)
        except FileExistsError:
            os.unlink(written)
        except OSError:  # a filesystem without hard links: a rename is whole too
            os.replace(written, key_file)
    return key_file.read_text().strip()


DATA_DIR = Path(os.environ.get("DOCKSIDE_DATA_DIR") or BASE_DIR / "var").resolve()
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY") or persistent_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The Docker engine: the same variable the docker CLI reads. Empty means the
# local socket, unix:///var/run/docker.sock.
DOCKER_HOST = os.environ.get("DOCKER_HOST", "")
DOCKER_TIMEOUT = env_int("DOCKSIDE_DOCKER_TIMEOUT", 30)
# How long a foreground `docker run` or a one-shot exec is waited for before the
# page answers (the process goes on in the container).
DOCKSIDE_WAIT_TIMEOUT = env_int("DOCKSIDE_WAIT_TIMEOUT", 30)
# The largest file (or tar) copied into a container through the browser, in MiB. Uploads
# go to a temporary file (0600) past 2.5 MB and are streamed to the engine from there.
DOCKSIDE_UPLOAD_MAX_MB = env_int("DOCKSIDE_UPLOAD_MAX_MB", 100)
# How long one Compose command (up, down, pull) may run before it is stopped, in seconds.
DOCKSIDE_COMPOSE_TIMEOUT = env_int("DOCKSIDE_COMPOSE_TIMEOUT", 900)
# The largest tar `docker load` takes through the browser (images are big).
DOCKSIDE_LOAD_MAX_MB = env_int("DOCKSIDE_LOAD_MAX_MB", 4096)
# Registries pulls may contact (comma-separated hosts, docker.io for Docker Hub); empty = any.
DOCKSIDE_ALLOWED_REGISTRIES = env_list("DOCKSIDE_ALLOWED_REGISTRIES", "")
# A copy of every audit entry as it is sealed: a file (JSON lines), `syslog` or
# `syslog:/path/of/socket`; empty: none. See audit/copies.py.
DOCKSIDE_AUDIT_COPY = os.environ.get("DOCKSIDE_AUDIT_COPY", "")
# Pages (GET) a process works on at once per engine; the others wait their turn, 2 s
# at most (see dashboard/request_threads.py). 0: no limit.
DOCKSIDE_PAGES_AT_ONCE = env_int("DOCKSIDE_PAGES_AT_ONCE", 6)
# Sign-in throttling (access/throttle.py): failures in a row, per username and per
# address, before each next try waits (2 s, doubling), and before a lockout.
DOCKSIDE_SIGNIN_FREE_FAILURES = env_int("DOCKSIDE_SIGNIN_FREE_FAILURES", 5)
DOCKSIDE_SIGNIN_LOCKOUT_FAILURES = env_int("DOCKSIDE_SIGNIN_LOCKOUT_FAILURES", 10)
DOCKSIDE_SIGNIN_LOCKOUT_MINUTES = env_int("DOCKSIDE_SIGNIN_LOCKOUT_MINUTES", 15)

INSTALLED_APPS = [
    "dashboard",
    "daphne",
    "access.apps.AdminConfig",  # django.contrib.admin, for Dockside's admins only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "audit",
    "access",
    "registries",
    "engines",
    "stacks",
    "containers_app",
]

MIDDLEWARE = [
    "containers_app.middleware.RequestIdMiddleware",
    "engines.paths.EngineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "containers_app.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "access.middleware.SignedInMiddleware",
    "containers_app.middleware.FormEncodingMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "containers_app.middleware.EngineUnavailableMiddleware",
]

ROOT_URLCONF = "dashboard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["containers_app.templatetags.cached_url"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "containers_app.context_processors.engine",
                "engines.context_processors.engines",
                "containers_app.context_processors.role",
                "containers_app.context_processors.links",
            ],
        },
    },
]

ASGI_APPLICATION = "dashboard.asgi.application"
# One process: the in-memory layer. Several (REDIS_URL set): Redis carries what one
# process tells the others' websockets (a sign-out, a new role), through channels-redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("DOCKSIDE_REDIS_PREFIX", "dockside"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests get a file too, not a shared in-memory database: jobs write from their own
    # threads, and an in-memory database locks whole tables instead of waiting its turn.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
    # Each request thread keeps its connection (the threads are pooled, see
    # dashboard/request_threads.py): opening one per request, and closing what was then
    # the last one (which checkpoints the write-ahead log), cost some 3 ms of CPU.
    DATABASES["default"]["CONN_MAX_AGE"] = 300
else:
    # A pool of connections (psycopg_pool) per process: opening one per request costs
    # PostgreSQL's authentication each time. Threads that outlive a request (event feeds,
    # job heartbeats) hand theirs back after each write. 0 turns the pool off.
    if pool_size := env_int("DOCKSIDE_DB_POOL", 20):
        DATABASES["default"]["OPTIONS"] = {
            "pool": {"min_size": 2, "max_size": pool_size, "timeout": 10}
        }
    # Two test runs on one server each get their own database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("DOCKSIDE_TEST_DB_NAME") or f"test_{DATABASES['default']['NAME']}"
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "containers:list"
LOGOUT_REDIRECT_URL = "login"
# A session lasts this long after its last request (sliding: renewed at most once a
# minute, see access/middleware.py).
SESSION_COOKIE_AGE = env_int("DOCKSIDE_SESSION_HOURS", 12) * 3600
SESSION_ENGINE = "access.session_store"  # the database's, read without the ORM's cost

# Security: cookies out of reach of scripts, no framing, no sniffing, a strict
# referrer policy. HTTPS-only flags are opt-in because the default bind is
# plain HTTP on loopback.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a TLS proxy that sets X-Forwarded-Proto (README, "Production"): cookies only
# over HTTPS, plain HTTP redirected, and browsers told to use HTTPS for a year.
if env_bool("DOCKSIDE_HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True  # allows a submission to the preload list; makes none
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TZ", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"  # absolute: not under /e/<engine>/
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# DOCKSIDE_LOG_FORMAT=json: one JSON object per line (time, level, logger, message,
# request_id, exception) for a log collector; else plain text. Every line carries the
# request id, which the audit entries of that request carry too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "containers_app.request_context.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "dashboard.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if os.environ.get("DOCKSIDE_LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DOCKSIDE_LOG_LEVEL", "WARNING")},
}
# /metrics (Prometheus): off (404) unless "login" (signed-in admins) or "public" (no
# sign-in: only where the address is reachable by the scraper alone).
DOCKSIDE_METRICS = os.environ.get("DOCKSIDE_METRICS", "off")
if DOCKSIDE_METRICS not in {"off", "login", "public"}:
    raise ImproperlyConfigured("DOCKSIDE_METRICS is off, login or public")
