"""Settings shared by every environment. Configuration comes from environment variables:

DATABASE_URL  PostgreSQL in production (default: SQLite file next to manage.py)
REDIS_URL     Celery broker and cache (default: none; background jobs run in-process)
SECRET_KEY    required in production; the demo key is refused there
DEBUG         "1"/"true" to turn on; production refuses it
ALLOWED_HOSTS comma separated
FIELD_ENCRYPTION_KEY  data encrypted at rest; required in production (see below)
API_TOKEN_TTL_DAYS    lifetime of an API token in days (default 30)
DATABASE_REPLICA_URL  a PostgreSQL read replica: reports and dashboards read there (core.db_router)
DATABASE_COPY         "off" turns the COPY bulk paths off (PostgreSQL-compatible databases, deploy/DATABASES.md)
DATABASE_JIT          PostgreSQL's JIT on our connections: "off" (default), "on", or "server" (not set by us)
TRUSTED_PROXIES       the reverse proxies whose X-Forwarded-For is believed (core.net.client_ip)
PRIVATE_MEDIA_ROOT    the file store (a shared NFS path with several web machines), or
PRIVATE_MEDIA_S3_*    S3-compatible object storage instead (deploy/README.md)
LOG_FORMAT            "json" for JSON lines with the request id (production default), "text" otherwise
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.contrib.messages import constants as message_constants

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEMO_SECRET_KEY = "demo-insecure-secret-key-do-not-use-in-production"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "config.apps.AxesConfig",  # django-axes, named in Chinese in the admin
    "core",
    "accounts",
    "communities",
    "enterprises",
    "campaigns",
    "rectification",
    "complaints",
    "inspections",
    "public_revenue",
    "estate_registers",
    "subjects",
    "reporting",
    "votes",
    "portal",
]

MIDDLEWARE = [
    # first: every log line of the request, and the response, carry its id
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # AxesMiddleware must be last: it turns a lockout into our Chinese 403 page.
    "axes.middleware.AxesMiddleware",
]

# Every script, style, font and image is served from static/ (intranets are offline), so the
# pages allow nothing else: no inline script, no other origin. Style attributes stay allowed
# (Bootstrap's utilities and the templates' few widths); data: images are Bootstrap's own icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "config.urls"

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
                "core.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
# A PostgreSQL streaming replica (hot standby): reports and dashboards read there (core.db_router),
# every write and every other read stays on default. Tests use the primary as its mirror.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
#: False ("off"): bulk writes use bulk_create instead of COPY … FROM STDIN (core.bulk), for
#: PostgreSQL-compatible databases whose COPY differs (openGauss, KingbaseES: deploy/DATABASES.md)
DATABASE_COPY = os.environ.get("DATABASE_COPY", "on").strip().lower() not in {"0", "off", "false", "no"}
#: PostgreSQL's JIT for our connections. "off" (default): the bureau's report queries are short and
#: JIT only added compile time to them (province data, bench/results/jit-province.md: 70–420 ms per
#: statistics, workbook and complaint query, none faster). "on": PostgreSQL's own default. "server":
#: nothing is sent, for a compatible database that has no such parameter (deploy/DATABASES.md).
DATABASE_JIT = os.environ.get("DATABASE_JIT", "off").strip().lower()
if DATABASE_JIT not in {"off", "on", "server"}:
    raise ValueError(f"DATABASE_JIT must be off, on or server, not {DATABASE_JIT!r}")
for _alias in DATABASES:
    if DATABASE_JIT != "server" and DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
        _options = DATABASES[_alias].setdefault("OPTIONS", {})
        # libpq's startup options: set once per connection, no extra round trip
        _options["options"] = f"{_options.get('options', '')} -c jit={DATABASE_JIT}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves concurrent requests from one file. WAL: readers never wait for
    # the writer. IMMEDIATE: every transaction takes the write lock at BEGIN, so one that read
    # first can never fail to upgrade its lock ("database is locked" at once, whatever the busy
    # timeout); writers queue instead, which is also what select_for_update (a no-op on SQLite)
    # would have given. timeout: how long a writer waits in that queue before the API's 409.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Django's four rules with Chinese messages (accounts.password_validation)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese catalogue for third-party apps that ship none (django-axes in the admin)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# seed_demo writes the demo county's sample files (last month's 12345 export) here.
DEMO_FILES_DIR = Path(os.environ.get("DEMO_FILES_DIR", BASE_DIR / "demo"))
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
# Nothing is stored here any more and no URL serves it: every file is in PRIVATE_MEDIA_ROOT
# (core.files). Kept so that the migrations can move files left here by earlier versions.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public-home"

# Sessions end 8 hours after login (one working day) and when the browser closes (shared office
# PCs). Not renewed on every request: that would write the session row on every page (3 of the
# ledger's 12-query budget) for a sliding expiry the working day does not need.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# django-axes: lock a username + IP after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# the address the rate limits count too: the proxy's header only from TRUSTED_PROXIES
AXES_CLIENT_IP_CALLABLE = "core.net.axes_client_ip"

MESSAGE_TAGS = {message_constants.ERROR: "danger"}

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    # every web machine shares one cache: rate limits, spent CAPTCHA nonces, sessions (below)
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}}
    # sessions read from Redis (no database query per page), written through to the database so
    # that a Redis restart logs nobody out
    SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with no Redis, tasks run in-process (eager) so the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Uploads larger than this are imported by a job (core.jobs: a Celery task, or a thread without
# Redis) while the page shows its progress; smaller ones are imported in the request.
IMPORT_BACKGROUND_BYTES = int(os.environ.get("IMPORT_BACKGROUND_BYTES", str(1024 * 1024)))
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Long tasks (monthly workbooks) must finish before Redis redelivers them.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
# Three queues, one worker unit each (deploy/systemd): a 50,000-row import or a monthly workbook
# never holds up a notification. Unrouted tasks go to "default".
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "core.tasks.import_job_run": {"queue": "imports"},
    "reporting.tasks.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULE: dict = {
    # every 5 minutes: /healthz reports the beat as stale after 15 minutes without one
    "core-heartbeat": {"task": "core.tasks.heartbeat", "schedule": crontab(minute="*/5")},
    "rectification-record-overdue": {
        "task": "rectification.tasks.record_overdue_cases", "schedule": crontab(hour=1, minute=10),
    },
    # a public complaint the worker never grouped into a case (complaints.services.complaints_join_pending)
    "complaints-join-pending": {"task": "complaints.tasks.join_pending", "schedule": crontab(minute="*/5")},
    # an owners' vote past its deadline is counted and its decisions applied (votes.services.votes_close_due)
    "votes-close-due": {"task": "votes.tasks.close_due_votes", "schedule": crontab(minute="*/15")},
    "complaints-anonymise": {"task": "complaints.tasks.anonymise_old_complaints", "schedule": crontab(hour=2, minute=20)},
    "complaints-kept-photos": {"task": "complaints.tasks.purge_kept_photos", "schedule": crontab(hour=2, minute=40)},
    "enterprises-overdue-supervisions": {
        "task": "enterprises.tasks.record_overdue_supervisions", "schedule": crontab(hour=1, minute=30),
    },
    "enterprises-overdue-handovers": {
        "task": "enterprises.tasks.record_overdue_handovers", "schedule": crontab(hour=1, minute=50),
    },
    "public-revenue-checks": {"task": "public_revenue.tasks.run_revenue_checks", "schedule": crontab(hour=2, minute=40)},
    "estate-register-checks": {"task": "estate_registers.tasks.run_register_checks", "schedule": crontab(hour=2, minute=50)},
    "subjects-committee-renewal-check": {
        "task": "subjects.tasks.run_committee_renewal_check", "schedule": crontab(hour=2, minute=55),
    },
    # daily; the task decides whether today is a county's due day (the 30th, or the month's last day)
    "reporting-build-due-county-reports": {
        "task": "reporting.tasks.build_due_county_reports", "schedule": crontab(hour=6, minute=0),
    },
    # 短信: each officer's due and overdue cases, once a day before work
    "rectification-sms-deadline-digest": {
        "task": "rectification.tasks.send_deadline_digest", "schedule": crontab(hour=7, minute=30),
    },
    # 挂图作战: the past months' summary behind the 12-month trend (the current month is live)
    "reporting-build-case-monthly-figures": {
        "task": "reporting.tasks.build_case_monthly_figures", "schedule": crontab(hour=3, minute=0),
    },
}

#: days an API token works after it was issued; then the client obtains a new one
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an API client without credentials gets 401 with WWW-Authenticate.
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "物业整治案件管理 API",
    "DESCRIPTION": "物业服务履约不到位、侵占业主公共收益等问题专项整治 —— 接口文档",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # one name per choice set that appears on several serializers
    "ENUM_NAME_OVERRIDES": {"CaseStateEnum": "rectification.models.CaseState", "RevenueKindEnum": "public_revenue.models.RevenueKind",
                            "SpendingKindEnum": "public_revenue.models.SpendingKind",
                            "RegisterReviewStatusEnum": "estate_registers.models.ReviewStatus",
                            "ReplyMethodEnum": "complaints.models.ReplyMethod",
                            "VerificationResultEnum": "rectification.models.VerificationResult",
                            "DocumentKindEnum": "rectification.models.DocumentKind",
                            "VoteStatusEnum": "votes.models.VoteStatus"},
}

IMPORT_EXPORT_USE_TRANSACTIONS = True

# SMS (短信, core.sms): the backend class; "core.sms.HttpGatewayBackend" with SMS_HTTP for a real
# platform. SMS_HTTP_* variables fill the generic HTTP adapter (see core.sms.HttpGatewayBackend).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "core.sms.ConsoleBackend")
SMS_HTTP = {
    key: value for key, value in {
        "URL": os.environ.get("SMS_HTTP_URL", ""),
        "METHOD": os.environ.get("SMS_HTTP_METHOD", "POST"),
        "BODY": os.environ.get("SMS_HTTP_BODY", "form"),
        "PHONE_PARAM": os.environ.get("SMS_HTTP_PHONE_PARAM", "mobile"),
        "TEXT_PARAM": os.environ.get("SMS_HTTP_TEXT_PARAM", "content"),
        "AUTH_TOKEN": os.environ.get("SMS_HTTP_AUTH_TOKEN", ""),
        "AUTH_HEADER": os.environ.get("SMS_HTTP_AUTH_HEADER", "Authorization"),
        "AUTH_SCHEME": os.environ.get("SMS_HTTP_AUTH_SCHEME", "Bearer"),
        "SUCCESS_FIELD": os.environ.get("SMS_HTTP_SUCCESS_FIELD", ""),
        "ID_FIELD": os.environ.get("SMS_HTTP_ID_FIELD", "msgid"),
    }.items() if value
}
if os.environ.get("SMS_HTTP_SUCCESS_VALUES"):
    SMS_HTTP["SUCCESS_VALUES"] = os.environ["SMS_HTTP_SUCCESS_VALUES"].split(",")
#: the signature (短信签名) the platforms require at the start of every message
SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "物业专项整治")
#: the public address residents follow their complaint at (in the SMS); empty: the text names no address
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@wuye.local")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# JSON lines on stderr (journald keeps them; the intranet's collector parses them), each with the
# request id of core.request_id; LOG_FORMAT=text for people reading a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.request_id.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # who searched complaints by phone number, when (the number's keyed hash, never the number)
    "loggers": {"complaints.phone_search": {"level": "INFO"}},
}

SITE_NAME = "物业服务专项整治案件管理系统"

# The one file store (core.files): every uploaded or generated file, served only by scope-checked
# views; never under a web server's document root.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
# Where nginx serves the store (an `internal` location aliased to PRIVATE_MEDIA_ROOT, e.g.
# "/_private/"): the views then answer with X-Accel-Redirect instead of the bytes. Empty: Django
# sends the bytes itself.
PRIVATE_MEDIA_ACCEL_REDIRECT = os.environ.get("PRIVATE_MEDIA_ACCEL_REDIRECT", "")
# Several web machines: PRIVATE_MEDIA_ROOT on a shared NFS mount, or S3-compatible object storage
# (MinIO…; requirements-s3.txt) when PRIVATE_MEDIA_S3_BUCKET is set. Files stay private (no public
# ACL, no URL): the views stream them after the scope check; X-Accel-Redirect applies to NFS only.
PRIVATE_MEDIA_S3 = {
    "bucket_name": os.environ.get("PRIVATE_MEDIA_S3_BUCKET", ""),
    "endpoint_url": os.environ.get("PRIVATE_MEDIA_S3_ENDPOINT", "") or None,
    "access_key": os.environ.get("PRIVATE_MEDIA_S3_ACCESS_KEY", "") or None,
    "secret_key": os.environ.get("PRIVATE_MEDIA_S3_SECRET_KEY", "") or None,
    "region_name": os.environ.get("PRIVATE_MEDIA_S3_REGION", "") or None,
    "default_acl": None,
    "querystring_auth": True,
    "file_overwrite": False,
    "addressing_style": "path",
}
#: /healthz fails when the file store has less free space than this (bytes)
HEALTH_MIN_FREE_BYTES = int(os.environ.get("HEALTH_MIN_FREE_BYTES", str(1024 ** 3)))
#: /healthz fails when the last beat (core.tasks.heartbeat, every 5 minutes) is older than this (seconds)
HEALTH_BEAT_MAX_AGE = int(os.environ.get("HEALTH_BEAT_MAX_AGE", str(15 * 60)))
#: an import job queued or running for longer than this is "stuck" (manage.py jobs_failed), seconds
JOBS_STUCK_AFTER = int(os.environ.get("JOBS_STUCK_AFTER", str(60 * 60)))
# Complaints (投诉受理): abuse limits, personal-data key, retention.
# (max requests, window seconds) for the public form and tracking page
# and per staff user for the complaint search by phone number
COMPLAINTS_RATE_LIMITS = {"ip": (10, 60 * 60), "phone": (3, 24 * 60 * 60), "track_ip": (30, 60 * 60),
                          "phone_search": (30, 10 * 60),
                          # owners' ballot page (votes): code look-ups and ballots per IP
                          "ballot_ip": (60, 60 * 60)}
#: a public complaint answered faster than this (seconds after the form was shown) is refused
COMPLAINTS_MIN_FILL_SECONDS = int(os.environ.get("COMPLAINTS_MIN_FILL_SECONDS", "4"))
#: addresses of the reverse proxies (nginx) whose X-Forwarded-For is believed, comma separated
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "").split(",") if a.strip()]
COMPLAINTS_ANONYMISE_AFTER_MONTHS = int(os.environ.get("COMPLAINTS_ANONYMISE_AFTER_MONTHS", "24"))

# The one key for data encrypted at rest (core.crypto: complainants' phones, special-account
# numbers); any random string of 32 characters or more. Production requires it; development and
# tests derive one from SECRET_KEY when it is unset. Replaced with `manage.py rotate_field_key`.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
