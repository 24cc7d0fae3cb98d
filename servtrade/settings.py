"""Settings for servtrade, read from the environment (twelve-factor), production-safe by default.

With no variables at all the site runs as visitors will see it: debug off, HTTPS expected, and
it refuses to start without a secret key (DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE naming
a file that holds one). `make demo` supplies a local key of its own and plain HTTP;
DJANGO_DEBUG=1 is the one switch to development mode. docs/deploy.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from servtrade.env import cache_from_url, env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = secret_key()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(or DJANGO_SECRET_KEY_FILE, naming a file that holds the key)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "django_tables2",
    # The project package itself, for its template tags (servtrade/templatetags/).
    "servtrade",
    "simple_history",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # Counts failed admin sign-ins and locks out (AXES_* below).
    "axes",
    "regions",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so that redirects carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A database that cannot be reached gives a friendly 503 page, not a 500.
    "servtrade.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # ETag/Last-Modified, 304s and shared-cache headers for anonymous public GETs.
    "servtrade.http_caching.PublicHTTPCacheMiddleware",
    # Records the signed-in user as the author of every history record a request writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servtrade.urls"

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
                # {{ csp_nonce }} for the rare inline script or style that must exist.
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "servtrade.wsgi.application"
ASGI_APPLICATION = "servtrade.asgi.application"

# SQLite is the embedded default; WAL lets readers and a writer work at once, and IMMEDIATE
# transactions avoid "database is locked" upgrades under concurrent writes. A writer waits up
# to SQLITE_BUSY_TIMEOUT seconds for another's write to finish before its page answers 503
# (servtrade/unavailable.py): 45, so that an editor publishing waits for an import's preview or
# confirmation of 1,000 rows (up to 20 s under load, bench/load.py), within gunicorn's 60.
_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": float(env_str("SQLITE_BUSY_TIMEOUT", "45")),
}
# A PostgreSQL that has gone away must not hold a page for long: give up connecting after 3 s,
# and notice a dead peer on an open connection within seconds (keepalives, unacknowledged
# data) instead of the kernel's default of minutes.
_POSTGRES_OPTIONS = {
    # No JIT compilation: the site's queries are short, but the planner's cost estimates of a
    # list sorted by a column, or of a search read through its index (enable_seqscan off),
    # cross jit_above_cost, and compiling took 0.6-1 s of a 0.15 s query (EXPLAIN ANALYZE,
    # 100,000 cases; docs/deploy.md).
    "options": "-c jit=off",
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 5000,
    # Prepared statements: psycopg prepares a statement the 5th time a connection runs it, and
    # PostgreSQL then reuses its plan. Planning was half of PostgreSQL's work on a list page
    # (EXPLAIN: 0.7-1 ms of planning for 0.8 ms of execution); prepared, PostgreSQL's CPU per
    # page went from 2.1 to 0.9 ms, and the pages' throughput rose 7-17 % (docs/benchmarks.md).
    # They need server-side binding (at most 65,535 parameters a statement; Django splits its
    # bulk writes to fit). DJANGO_DB_PREPARED_STATEMENTS=0 turns them off, for a pooler in
    # transaction mode that cannot keep them (PgBouncer before 1.21).
    **(
        {"server_side_binding": True, "prepare_threshold": 5}
        if env_bool("DJANGO_DB_PREPARED_STATEMENTS", default=True)
        else {}
    ),
}
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0 if DEBUG else 60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = _SQLITE_OPTIONS
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Options given in DATABASE_URL's query string win.
    DATABASES["default"]["OPTIONS"] = {
        **_POSTGRES_OPTIONS,
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}
# The case list's counting bitmaps (cases.counting) are built in a thread of their own, so that
# no visitor waits for them; tests build them in the request, inside the test's transaction.
COUNTING_IN_BACKGROUND = env_bool("DJANGO_COUNTING_IN_BACKGROUND", default=True)
# Up to this many results the list's query is given their ids, and a search is ranked; more
# matches of a search are listed newest first (ranking reads every match's index entry).
COUNTING_FEW_RESULTS = 1000

AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its user and address are locked out, before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name from one
# address, that user name is refused from that address for AXES_COOLOFF_TIME, even with the
# right password. Per user *and* address, so a stranger cannot lock an editor out of the office.
# `manage.py axes_reset_username NAME` (or axes_reset_ip, axes_reset) unlocks at once.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "servtrade.security.lockout_response"
# The client's address: REMOTE_ADDR, or the proxy's X-Real-IP when a proxy is in front.
AXES_CLIENT_IP_CALLABLE = "servtrade.security.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the hashed files that WhiteNoise serves.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes each file under a name with its content's hash (and gzip/brotli
    # copies); WhiteNoise serves those names with a far-future Cache-Control, so a browser or a
    # cache keeps them until a new release changes the name.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# In development, files are served straight from the app and project folders as they are edited.
WHITENOISE_USE_FINDERS = DEBUG

# Production hardening. The site is served over HTTPS unless told otherwise (DJANGO_HTTPS=0:
# `make demo` on plain http://127.0.0.1, or debug mode).
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
# Probes poll the health checks over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# A reverse proxy in front (nginx, a load balancer) terminates TLS and says so in
# X-Forwarded-Proto, and names the client in X-Real-IP. Without one, any client could send those
# headers, so they are believed only when DJANGO_BEHIND_PROXY=1 says a proxy sets them.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (Django's own, django.middleware.csp): only this site's scripts, styles,
# images and fonts; an inline script or style runs only with the request's nonce
# ({{ csp_nonce }}), never a style="" attribute; no plugins, no framing by any page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# HTTP caching of anonymous public pages (servtrade/http_caching.py): how long a shared cache
# in front may serve a page without asking, and what it never applies to.
HTTP_CACHE_SECONDS = env_int("DJANGO_HTTP_CACHE_SECONDS", 60)
HTTP_CACHE_RELEASE = env_str("DJANGO_RELEASE")
HTTP_CACHE_EXCLUDED_PATHS = [
    "/admin/",
    "/i18n/",
    "/healthz",
    "/readyz",
    # The bulk files and their page change when the files are rebuilt, after the catalogue's
    # version: the files carry their own ETag (their SHA-256), the page none.
    "/data/files/",
    *(f"/{code}/data/" for code in ("zh-hans", "en")),
]

# Spreadsheet imports (django-import-export) run in one transaction: the preview is rolled back,
# and a confirmation that fails writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True

# The read-only API (/api/v1/). JSON only; anonymous clients are throttled per address so that
# a crawler cannot starve the public pages (the counts live in the default cache: Redis with
# CACHE_URL, shared by every worker). Numbers documented in the README and the API docs.
API_ANON_RATE = env_str("SERVTRADE_API_ANON_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["servtrade.throttling.AnonymousThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "servtrade.api.exception_handler",
    # ?format= is not a parameter of ours: JSON is the only format.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "servtrade API",
    "DESCRIPTION": (
        "Read-only JSON API of servtrade, the bilingual catalogue of China's pilot program for "
        "the innovative development of trade in services: its pilot programs, regions, batches, "
        "themes, service sectors and published best practice cases. Every record carries both "
        "languages (`_zh`, `_en`). The case list takes exactly the public list's parameters and "
        "returns the same cases in the same order as `/en/cases/?...`. Anonymous clients may "
        "make {rate} requests; beyond that the API answers 429 with `Retry-After`."
    ).format(rate=API_ANON_RATE.replace("/", " per ")),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The case list's facet parameters list the values they take (they change with the data).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cases.api.list_known_values",
        "servtrade.api.document_errors",
    ],
}

# The public site's address, for absolute links in what is built outside a request (the bulk
# files' permalinks). Its host must be in ALLOWED_HOSTS.
SITE_URL = env_str("SERVTRADE_SITE_URL", "http://127.0.0.1:8000")
# Where manage.py build_bulk_files writes the bulk files that /data/files/<name> serves.
BULK_FILES_DIR = Path(env_str("SERVTRADE_BULK_FILES_DIR") or BASE_DIR / "data-files")

# A list longer than this is not downloaded from the list (?_export=): a worker would be busy
# for seconds; the page sends readers to the bulk files instead.
EXPORT_ROW_LIMIT = env_int("SERVTRADE_EXPORT_ROW_LIMIT", 10_000)

# Cross-origin reads of the API and the bulk files only; nothing else is shared, nothing written.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api|data/files)/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# Mail (Django's MAILERS). Editors are told of new public suggestions only when a mail server and
# recipients are configured; otherwise the suggestions simply wait in the admin's queue. (Without
# a host MAILERS stays unset: Django's checks warn of an empty one and refuse a discarding one.)
MAIL_CONFIGURED = bool(env_str("DJANGO_EMAIL_HOST"))
if MAIL_CONFIGURED:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("DJANGO_EMAIL_HOST"),
                "port": env_int("DJANGO_EMAIL_PORT", 25),
                "username": env_str("DJANGO_EMAIL_HOST_USER"),
                "password": env_str("DJANGO_EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=False),
                "timeout": 10,
            },
        }
    }
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "servtrade@localhost")
SUGGESTION_RECIPIENTS = env_list("DJANGO_SUGGESTION_RECIPIENTS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
