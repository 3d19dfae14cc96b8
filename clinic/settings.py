"""Stride settings: one file, every machine-specific value read from the environment."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def required(name, why, *, debug_default):
    """A value production cannot guess: with DEBUG on the development default, without it a refusal to start
    that names the variable (manage.py and the WSGI entry print it as one line)."""
    value = env(name, default="")
    if value:
        return value
    if DEBUG:
        return debug_default
    raise ImproperlyConfigured(f"{name} is not set (required when DEBUG is off): {why}")


_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-7f3a9c"
SECRET_KEY = required("SECRET_KEY", "a long random string that signs sessions and patient links; "
                      "make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
                      debug_default=_DEV_SECRET_KEY)
# The port `make run` serves on (bin/run-all), and so the development links in email.
PORT = env.int("PORT", default=8000)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "clinic",
    "patients",
    "scheduling",
    "intake",
    "exams",
    "notifications",
    "portal",
]

MIDDLEWARE = [
    "clinic.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic.checks.ProxyCountMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: is this an htmx request, boosted, its target
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.middleware.SignedOutMiddleware",  # a session that ended: say why, and htmx goes to a full page
    "clinic.middleware.SessionLifetimeMiddleware",
    "clinic.two_factor.StaffTwoFactorMiddleware",
    "clinic.kiosk.KioskMiddleware",  # a device handed to a patient reaches only their form
    "clinic.middleware.PatientDataHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.audit.AuditActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.stride",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'stride.sqlite3'}")}
# Keep connections for a minute (web requests and Celery tasks alike), checked before reuse after a restart.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file when run locally; wait instead of failing on a lock.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "clinic.passwords.RoleMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Health data: a session ends after 15 minutes without activity (renewed at most once a minute).
SESSION_ENGINE = "clinic.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ...and 12 hours after sign-in whatever the activity (clinic.middleware.SessionLifetimeMiddleware).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)

# Staff sign-in codes (clinic.two_factor): the issuer names the account in the authenticator app, and the
# staff admin never shows another person's secret key.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Stride")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A clinician opening a record outside their care (patients.care) sees it for this long.
EMERGENCY_ACCESS_MINUTES = env.int("EMERGENCY_ACCESS_MINUTES", default=60)

# Failed sign-ins pause an account (from any address) and an address (for any account) for 15 minutes.
# Never for good: the pause runs from the first failure (further tries do not extend it), a password reset
# by email lifts the account's pause at once (clinic.views), and the address is the client's, not a proxy's.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "clinic.audit.request_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("CLINIC_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Patient documents are served only through permission-checked views, never by a public URL.
MEDIA_URL = "/private-media/"
# Patient documents (the default storage): files under MEDIA_ROOT on this host, or, when several web hosts
# serve the app, shared object storage (DOCUMENTS_STORAGE=s3: any S3-compatible service through
# django-storages and boto3, installed by requirements-s3.txt). Private objects, read only through our views.
DOCUMENTS_STORAGE = env("DOCUMENTS_STORAGE", default="filesystem")
_DOCUMENT_BACKENDS = {
    "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", default=""),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_LOCATION", default="documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
}
if DOCUMENTS_STORAGE not in _DOCUMENT_BACKENDS:
    raise environ.ImproperlyConfigured(f"DOCUMENTS_STORAGE must be one of {', '.join(_DOCUMENT_BACKENDS)}.")
if DOCUMENTS_STORAGE == "s3" and not _DOCUMENT_BACKENDS["s3"]["OPTIONS"]["bucket_name"]:
    raise environ.ImproperlyConfigured("DOCUMENTS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
STORAGES = {
    "default": _DOCUMENT_BACKENDS[DOCUMENTS_STORAGE],
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Stride Clinic <no-reply@stride.local>")

# Celery: an embedded broker (files under var/) unless a real one is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Every folder the transport writes is named here: kombu's defaults are relative to the working
    # directory (control/ beside manage.py held its exchange table).
    _broker = VAR_DIR / "celery"
    for _folder in ("queue", "control", "processed"):
        (_broker / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "control_folder": str(_broker / "control"),
        "processed_folder": str(_broker / "processed"),
        "store_processed": False,
    }
# The queue every task goes to and every worker reads: two installations sharing one Redis keep apart by it.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Beat's record of when each task last ran: on a volume of its own in the recipe (deploy/), so a restarted beat
# neither repeats nor skips a run.
CELERY_BEAT_SCHEDULE_FILENAME = env("BEAT_SCHEDULE_FILE", default=str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "clinic.tasks.record_heartbeat", "schedule": 60.0},
    "notifications-sweep": {"task": "notifications.sweep",
                            "schedule": env.float("NOTIFICATION_SWEEP_SECONDS", default=60.0)},
    "idempotency-keys-purge": {"task": "clinic.tasks.purge_idempotency_keys", "schedule": 60.0 * 60},
}

# Messages to patients (notifications/): when reminders go out, retries, and the SMS provider.
NOTIFICATION_REMINDER_OFFSETS = env("NOTIFICATION_REMINDER_OFFSETS", default="email:48h,sms:2h")
NOTIFICATION_INTAKE_NUDGES = env("NOTIFICATION_INTAKE_NUDGES", default="72h,24h")
NOTIFICATION_QUIET_HOURS = env("NOTIFICATION_QUIET_HOURS", default="21-08")  # no texts then; "off" disables
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BACKOFF_SECONDS = env.float("NOTIFICATION_RETRY_BACKOFF_SECONDS", default=60.0)
NOTIFICATION_SENDING_LEASE_SECONDS = env.float("NOTIFICATION_SENDING_LEASE_SECONDS", default=300.0)
NOTIFICATION_SWEEP_BATCH = env.int("NOTIFICATION_SWEEP_BATCH", default=500)
NOTIFICATION_QUEUE = env("NOTIFICATION_QUEUE", default="")  # blank: Celery's default queue
NOTIFICATION_EMAIL_BACKEND = env("NOTIFICATION_EMAIL_BACKEND", default="")  # blank: EMAIL_URL's; "memory"
NOTIFICATION_MEMORY_SEND_DELAY = env.float("NOTIFICATION_MEMORY_SEND_DELAY", default=0.0)  # tests only
NOTIFICATION_MEMORY_FAIL = env("NOTIFICATION_MEMORY_FAIL", default="")  # tests only: transient or permanent
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env("TWILIO_FROM", default="")
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")
SMS_BACKEND = env("SMS_BACKEND", default="twilio" if TWILIO_ACCOUNT_SID and not DEBUG else "console")



def cache_settings(url):
    """CACHES for CACHE_URL. The cache holds nothing the database cannot give again, so on Redis a backend
    that works without it while it is down (clinic.cache): a Redis outage must not become an error page."""
    config = env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "clinic.cache.ResilientRedisCache"
        options = config.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
    return {"default": config}


CACHES = cache_settings(env("CACHE_URL", default="locmemcache://"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "clinic.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "clinic.api_responses.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stride API",
    "DESCRIPTION": "Practice management for sports rehab clinics.",
    "VERSION": "1.0.0",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "clinic.api_schema.positive_path_ids"],
    "ENUM_NAME_OVERRIDES": {
        "AppointmentStatusEnum": "scheduling.models.Appointment.Status",
        "IntakeStatusEnum": "intake.models.IntakeForm.Status",
    },
}

CLINIC_NAME = env("CLINIC_NAME", default="Stride Sports Rehab")
# The public address of the app, for every link sent by email or SMS (intake, manage, confirm and cancel links).
SITE_URL = required("SITE_URL", "the public address patients' links point to, e.g. https://stride.example.com",
                    debug_default=f"http://localhost:{PORT}").rstrip("/")
# How many reverse proxies add to X-Forwarded-For; 0 trusts only REMOTE_ADDR. It decides the client address
# that sign-in lockouts and booking throttles count: unset behind a proxy, every client shares the proxy's.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
NUM_PROXIES_SET = "NUM_PROXIES" in env.ENVIRON
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="US")
PATIENT_DOCUMENT_MAX_BYTES = env.int("PATIENT_DOCUMENT_MAX_BYTES", default=15 * 1024 * 1024)

# Production hardening, on unless DEBUG; HTTPS=false serves plain HTTP (tests on loopback).
HTTPS = env.bool("HTTPS", default=not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A load balancer checks health over plain HTTP on the private network; everything else is redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Scripts only from our own static files: no inline <script>, no on* attributes, no eval. Inline styles stay
# allowed (the calendar places blocks with style attributes). Data: images are Bootstrap's form icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_links": {"()": "clinic.log_filters.RedactSignedLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Request logs carry paths, and patient links carry their signed token in the path.
    "loggers": {
        name: {"filters": ["redact_links"], "level": env("LOG_LEVEL", default="INFO")}
        for name in ("django.request", "django.server", "django.security")
    } | {
        # gunicorn made this logger with its own handler and propagate off; configuring it here drops that
        # handler, so it needs one back or every access line is silently lost.
        "gunicorn.access": {"filters": ["redact_links"], "handlers": ["console"], "propagate": False,
                            "level": env("LOG_LEVEL", default="INFO")},
    },
}
