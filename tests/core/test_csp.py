"""The Content-Security-Policy: every page says default-src 'self' and no template carries a
script the policy would block (an inline handler or an inline script), so what the policy allows
is what the pages need."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import login

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.IGNORECASE)


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/", "/complaints/new/", "/accounts/login/"])
def test_public_pages_carry_the_policy(client, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["style-src"] == "'self'" and policy["style-src-attr"] == "'unsafe-inline'"


def test_only_the_api_docs_allow_inline_styles(client):
    policy = directives(client.get("/api/docs/"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self' 'unsafe-inline'"


def test_staff_pages_carry_the_policy(client, county_user):
    login(client, county_user)
    for path in ("/accounts/home/", "/rectification/", "/complaints/", "/complaints/import/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response)["script-src"] == "'self'", path


def test_no_template_has_a_script_the_policy_would_block():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(text) or INLINE_SCRIPT.search(text):
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert offenders == []
