"""Production: refuses to start with the demo secret key, without its own data-encryption key, or
with DEBUG on; the API schema and docs are for logged-in users only."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, DEMO_SECRET_KEY, FIELD_ENCRYPTION_KEY, MIDDLEWARE, SECRET_KEY, SPECTACULAR_SETTINGS, env_bool

if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("生产环境必须通过环境变量 SECRET_KEY 设置至少 50 位的随机密钥，不能使用演示密钥。")
# A key derived from SECRET_KEY would make the stored phones and account numbers unreadable the
# day SECRET_KEY is rotated, and would leak them with it.
if len(FIELD_ENCRYPTION_KEY) < 32 or FIELD_ENCRYPTION_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "生产环境必须通过环境变量 FIELD_ENCRYPTION_KEY 设置至少 32 位的随机密钥（数据加密主密钥），"
        "不能与 SECRET_KEY 相同，并妥善保管。"
    )
if DEBUG:
    raise ImproperlyConfigured("生产环境不允许开启 DEBUG。")

# Serves the collected static/ (vendored Bootstrap, htmx, Swagger UI) under gunicorn on an intranet
# host without nginx; `manage.py collectstatic` fills STATIC_ROOT at deployment.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
# JSON lines with the request id unless LOG_FORMAT says otherwise (core.request_id)
LOGGING["handlers"]["console"]["formatter"] = "text" if os.environ.get("LOG_FORMAT") == "text" else "json"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# the intranet's monitoring asks over plain HTTP on the machine itself
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(__import__("os").environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The schema maps every endpoint and field of the system: not for strangers on the intranet.
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"]}
