"""Settings for the MLOps Maturity Assessment app.

One file, one mechanism: every value that differs between machines comes from an
environment variable (listed in `.env.example` and the README). `DEBUG` is off
unless set, and production refuses to start without a `SECRET_KEY`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The value in .env.example: an installation copied from it without a new key would sign with a public one.
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string"  # noqa: S105
if SECRET_KEY == EXAMPLE_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the placeholder from .env.example: set a long random value of your own.")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a throwaway key (sessions end when the process restarts).
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Where security researchers report a vulnerability (/.well-known/security.txt, RFC 9116).
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "mailto:security@localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "identity",
    "playbook",
    "assessments",
    "workshops",
    "audit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "integrations",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "identity.middleware.SecondFactorForStaffMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.HtmxSignedOutMiddleware",
    "config.middleware.NoStoreMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "identity.context_processors.sign_in",
            ],
        },
    },
    # Only the templates drawn once per practice (config/jinja_env.py); pages reach them through the `jinja` tag.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja_env.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has a web process and a report worker writing to one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Behind N reverse proxies of your own, the client's address is the Nth from the right of X-Forwarded-For;
# with 0 the header is ignored (config/client_ip.py). Failed logins and workshop joins count per address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Login throttling (django-axes, kept in the database so every web server sees the same counts): failures are
# counted per username across all addresses, and per address across all usernames; either reaching
# LOGIN_FAILURE_LIMIT pauses it for LOGIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "assessments:home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in (django-allauth): local accounts with a username and password, a TOTP second factor with recovery
# codes, password change and reset by email; and, when OIDC_ISSUER_URL is set, the company's OpenID Connect
# provider (identity/provider.py). Local accounts come from invitations only; LOCAL_ACCOUNTS=0 turns them off.
LOCAL_ACCOUNTS = env_bool("LOCAL_ACCOUNTS", True)
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "identity.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
# Reset links last an hour, and a link stops working once the password it reset has changed.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)
# Failed logins are throttled by axes above, in the database; allauth's own counters, kept in the shared default
# cache (CACHES below), stay for the rest (password reset requests, second-factor codes).
ACCOUNT_RATE_LIMITS = {"login_failed": False}
SOCIALACCOUNT_ONLY = not LOCAL_ACCOUNTS
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
OIDC_ISSUER_URL = os.environ.get("OIDC_ISSUER_URL", "").rstrip("/")
OIDC_ALLOWED_EMAIL_DOMAINS = [domain.lower() for domain in env_list("OIDC_ALLOWED_EMAIL_DOMAINS", "")]
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
SOCIALACCOUNT_PROVIDERS = {
    "company": {
        "APPS": [
            {
                "provider_id": "company",
                "name": os.environ.get("OIDC_PROVIDER_NAME", "your company account"),
                "client_id": os.environ.get("OIDC_CLIENT_ID", ""),
                "secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": OIDC_ISSUER_URL, "oauth_pkce_enabled": True},
            }
        ]
        if OIDC_ISSUER_URL
        else [],
    }
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MLOps Maturity"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Secure transport is on by default in production; SECURE_SSL_REDIRECT=0 and
# SECURE_COOKIES=0 allow a local plain-HTTP trial of production settings.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP inside the network
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features the app never uses are switched off for its pages (config.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Oversized bodies are refused with a 400 page; the largest real form (a questionnaire page) is far smaller.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# Redis, for installations that outgrow the database (README, "Scaling out"): the shared cache and, with
# TASKS_BACKEND=django_tasks_rq.RQBackend, the task queue.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The default cache holds what every web server must agree on: API request counts, allauth's rate limits and its
# record of used second-factor codes (so a code cannot be replayed on another process). Redis when there is one,
# else a table in the database, the one store all web servers already share (made by api/migrations).
# "fragments" is each process's own memory, for what is keyed by the data it shows: questionnaire cards by answer
# revision, the results page's content and each assessment's score by a fingerprint of its answers, the heatmap's
# table, the portfolio, the benchmark's pool and the home page's team cards. CACHE_MAX_ENTRIES=0 turns it off (all
# of it computed afresh on every page): `make bench` measures the cold questionnaire so.
FRAGMENT_CACHE_ENTRIES = env_int("CACHE_MAX_ENTRIES", 20_000)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shared_cache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": FRAGMENT_CACHE_ENTRIES},
    }
    if FRAGMENT_CACHE_ENTRIES
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Front-end packages come from npm at install time (`make install`), never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/fontsource", BASE_DIR / "node_modules" / "@fontsource"),
]
# Source maps are over half of the collected bytes and only a developer's browser tools read them: compressing them
# doubled collectstatic's time (a deploy's, and the benchmark's) for nothing a user downloads.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Evidence files attached to answers (assessments/evidence.py). Never served as static or media: every download
    # goes through the app's access checks. Local disk by default; an S3-compatible bucket when one is named.
    "evidence": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["EVIDENCE_S3_BUCKET"],
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EVIDENCE_S3_REGION") or None,
            # MinIO and most self-hosted servers address buckets by path, not by host name.
            "addressing_style": "path" if os.environ.get("EVIDENCE_S3_ENDPOINT_URL") else None,
            # Objects stay private: no public ACL, no presigned URLs handed out, no overwriting of a stored name.
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    if os.environ.get("EVIDENCE_S3_BUCKET")
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("EVIDENCE_ROOT") or BASE_DIR / "var" / "evidence"},
    },
}
# Limits of evidence files: per file, and all the files of one assessment together. The reverse proxy must let an
# upload of EVIDENCE_MAX_FILE_MB through (deploy/Caddyfile, EVIDENCE_MAX_REQUEST_BYTES).
EVIDENCE_MAX_FILE_MB = env_int("EVIDENCE_MAX_FILE_MB", 10)
EVIDENCE_MAX_ASSESSMENT_MB = env_int("EVIDENCE_MAX_ASSESSMENT_MB", 100)
# DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out; an upload over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) is spooled
# to a temporary file, not held in memory, while it is checked.

# PDF reports and webhooks run on a background worker so web workers are never tied up: by default the database
# queue (`manage.py db_worker`); with TASKS_BACKEND=django_tasks_rq.RQBackend, RQ on REDIS_URL
# (`manage.py rqworker --job-class django_tasks_rq.Job --with-scheduler`).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND") or "django_tasks_db.DatabaseBackend"
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=django_tasks_rq.RQBackend needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
# A task that has waited this long for a worker means none is running: /healthz says the queue is degraded and
# the report page says so. A report queued or rendering this long is presumed lost and queued again.
TASK_QUEUE_MAX_WAIT_SECONDS = env_int("TASK_QUEUE_MAX_WAIT_SECONDS", 60)
# Webhooks may go to loopback, private and other non-public addresses, and over plain http, only when the operator
# says so (receivers inside the company network, a local receiver in development): see webhooks/addresses.py.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
REPORT_STALE_SECONDS = env_int("REPORT_STALE_SECONDS", 300)
if REDIS_URL:
    # RQ stops a job after DEFAULT_TIMEOUT; a report rendering longer than REPORT_STALE_SECONDS is queued again anyway.
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": REPORT_STALE_SECONDS}}
# A deleted assessment can be restored for this many days; `manage.py purge_deleted` erases it afterwards.
ASSESSMENT_RESTORE_DAYS = env_int("ASSESSMENT_RESTORE_DAYS", 30)
# The installation's branding of reports and shared pages, for organisations that set none of their own; checked
# (contrast, logo sanitising) when first used, see assessments/branding.py.
BRAND_NAME = os.environ.get("BRAND_NAME", "")
BRAND_ACCENT = os.environ.get("BRAND_ACCENT", "")
BRAND_LOGO_PATH = os.environ.get("BRAND_LOGO_PATH", "")
BRAND_LOGO_MAX_KB = env_int("BRAND_LOGO_MAX_KB", 200)
# The benchmark across organisations shows a challenge's figures only when this many organisations contribute to it;
# assessments/benchmark.py never goes below 5, whatever is set here.
BENCHMARK_MINIMUM_ORGANISATIONS = env_int("BENCHMARK_MINIMUM_ORGANISATIONS", 5)

# Workshops: guests who may join from one address, and join codes that may lead nowhere (unknown or ended)
# from one address, in ten minutes. A room behind one office network shares an address, hence the room size.
WORKSHOP_GUEST_JOINS_PER_ADDRESS = env_int("WORKSHOP_GUEST_JOINS_PER_ADDRESS", 60)
WORKSHOP_CODE_ATTEMPTS_PER_ADDRESS = env_int("WORKSHOP_CODE_ATTEMPTS_PER_ADDRESS", 20)

# The API (api/): Django REST framework, its schema by drf-spectacular, Swagger UI from drf-spectacular-sidecar.
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 120)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.permissions.TokenScopeAllows"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MLOps Maturity Assessment API",
    "DESCRIPTION": "Teams, assessments, answers, results, tracked actions and the playbook. Authenticate with a "
    "personal access token from your account page: `Authorization: Bearer mma_…`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The schema lists the current playbook's modules, so building it reads the database: `check --deploy` must not
    # need one. tests/api/test_resources.py builds and validates the schema instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "assessments.models.Status",
        "ActionStatusEnum": "assessments.models.ActionStatus",
    },
}

# Issue trackers (integrations/). Tokens are encrypted with CREDENTIALS_KEY: one or more Fernet keys, comma-separated,
# the first used to encrypt (see integrations/credentials.py for rotating). Without it, connecting is turned off.
CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY", "")
# Where the vendors live: GitHub Enterprise Server and Azure DevOps Server installations change these. A connection
# names only a repository, a Jira Cloud site or an organisation, never a host, so it cannot aim requests elsewhere.
GITHUB_API_URL = os.environ.get("GITHUB_API_URL", "https://api.github.com")
JIRA_SITE_URL_TEMPLATE = os.environ.get("JIRA_SITE_URL_TEMPLATE", "https://{site}.atlassian.net")
AZURE_DEVOPS_URL = os.environ.get("AZURE_DEVOPS_URL", "https://dev.azure.com")
TRACKER_TIMEOUT_SECONDS = env_int("TRACKER_TIMEOUT_SECONDS", 10)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PLAYBOOK_CONTENT_DIR = Path(os.environ.get("PLAYBOOK_CONTENT_DIR") or BASE_DIR / "playbook" / "content")

_email_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if _email_backend.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mlops-assessment@localhost")

# Structured (JSON) logs with the request id; the filters keep tokens and personal data out.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.logging.RequestIdFilter"},
        "redact": {"()": "config.logging.RedactSecretsFilter"},
    },
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id", "redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO; httpx logs every request's full URL at INFO, and a webhook's
    # URL may carry the receiver's own token in its path.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
