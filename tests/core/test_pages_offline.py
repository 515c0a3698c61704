"""Intranets have no internet: no page may load a script, style or font from outside."""

import re
from pathlib import Path

import pytest

from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.I)


def test_no_template_references_an_external_asset():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and EXTERNAL.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/"])
def test_public_pages_load_nothing_external(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not EXTERNAL.search(response.content.decode()), url


@pytest.mark.django_db
def test_staff_pages_load_nothing_external(client, county_user, estates):
    login(client, county_user)
    for url in ["/accounts/home/", "/communities/estates/", "/enterprises/", "/admin/"]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert not EXTERNAL.search(response.content.decode()), url


def test_vendored_assets_exist():
    for rel in [
        "static/vendor/bootstrap-5.3.9/bootstrap.min.css",
        "static/vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
        "static/vendor/htmx-2.0.11/htmx.min.js",
    ]:
        assert (ROOT / rel).stat().st_size > 10_000, rel
