"""Production settings: Django's deploy checks pass, and the demo key or DEBUG is refused."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD  # noqa: F401  (imports the project: settings are importable)

ROOT = Path(__file__).resolve().parents[2]

CLEARED = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEY_OLD"}


def run_manage(*args, **env):
    """manage.py under the production settings, with a valid data-encryption key unless `env`
    gives one (None: leave it unset)."""
    full_env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", "ALLOWED_HOSTS": "wuye.example.gov.cn",
                     "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32)})
    full_env.update({k: v for k, v in env.items() if v is not None})
    for name in [k for k, v in env.items() if v is None]:
        full_env.pop(name, None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120,
    )

def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stdout + result.stderr

def test_production_refuses_the_demo_secret_key():
    from config.settings.base import DEMO_SECRET_KEY

    result = run_manage("check", SECRET_KEY=DEMO_SECRET_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

@pytest.mark.parametrize("field_key, why", [(None, "unset"), ("x" * 31, "too short"), ("same", "SECRET_KEY")])
def test_production_refuses_a_missing_or_weak_field_encryption_key(field_key, why):
    secret_key = secrets.token_urlsafe(64)
    result = run_manage("check", SECRET_KEY=secret_key,
                        FIELD_ENCRYPTION_KEY=secret_key if field_key == "same" else field_key)
    assert result.returncode != 0, why
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


SCHEMA_ACCESS = """
import json
from django.conf import settings
from django.test import Client, override_settings
from django.urls import resolve
from rest_framework.test import APIRequestFactory, force_authenticate
from accounts.models import User

host = {"HTTP_HOST": "wuye.example.gov.cn", "secure": True}
urls = ("/api/schema/", "/api/docs/")
# the docs page's static links without the manifest that only collectstatic writes
plain_static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain_static):
    anonymous = {url: Client().get(url, **host).status_code for url in urls}
    # no database here (a session needs one): the URL's own view with an authenticated request
    logged_in = {}
    for url in urls:
        request = APIRequestFactory().get(url, **host)
        force_authenticate(request, user=User(username="town", is_active=True))
        response = resolve(url).func(request)
        response.render()
        logged_in[url] = response.status_code
print(json.dumps({"anonymous": anonymous, "logged_in": logged_in}))
"""


def test_production_serves_the_api_schema_and_docs_to_logged_in_users_only():
    result = run_manage("shell", "-c", SCHEMA_ACCESS, SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stdout + result.stderr
    codes = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(codes["anonymous"].values()) <= {401, 403}, codes
    assert set(codes["logged_in"].values()) == {200}, codes


def test_production_refuses_debug():
    result = run_manage("check", SECRET_KEY=secrets.token_urlsafe(64), DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_collectstatic_works_with_the_production_storage(tmp_path):
    """The manifest storage refuses a vendored file that points at a missing source map."""
    result = run_manage("collectstatic", "--noinput", SECRET_KEY=secrets.token_urlsafe(64),
                        STATIC_ROOT=str(tmp_path / "static"))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert list((tmp_path / "static").glob("vendor/bootstrap-5.3.9/bootstrap.bundle.min.*.js"))


def test_an_unknown_jit_setting_is_refused_at_start():
    result = run_manage("check", SECRET_KEY=secrets.token_urlsafe(64), DATABASE_JIT="maybe")
    assert result.returncode != 0
    assert "DATABASE_JIT" in result.stderr


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="PostgreSQL 的 JIT 设置（CI 的第二轮运行）")
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit_by_default():
    # measured on province data: JIT only added compile time to the report queries
    from django.conf import settings
    from django.db import connection

    expected = {"off": "off", "on": "on"}.get(settings.DATABASE_JIT)  # "server": whatever the server says
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    assert jit == (expected or jit)
    if "DATABASE_JIT" not in os.environ:
        assert jit == "off"
