"""Production settings: Django's deploy checks pass, and the demo key or DEBUG is refused."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from accounts.demo import DEMO_PASSWORD  # noqa: F401  (imports the project: settings are importable)

ROOT = Path(__file__).resolve().parents[2]

def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", "ALLOWED_HOSTS": "wuye.example.gov.cn", **env})
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
