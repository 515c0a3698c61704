"""The pages run under their Content-Security-Policy: Chromium reports no blocked script, style,
image or font on the public and staff pages (and the page actions that were inline handlers
still work)."""

import pytest
from django.core.cache import cache

from accounts.models import Role
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree

from .conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_no_page_breaks_its_policy(browser, live_server, page):
    cache.clear()
    tree = make_tree()
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业"))
    county = UserFactory(username="county-csp", role=Role.COUNTY_GROUP, region=tree["county"], is_staff=True)
    county.set_password(PASSWORD)
    county.save()
    violations = []
    where = {"path": ""}
    page.on("console", lambda msg: violations.append((where["path"], msg.text[:160]))
            if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)))
    for path in ("/", "/complaints/new/", "/complaints/track/", "/credit/"):
        where["path"] = path
        page.goto(page.base_url + path)
    browser_login(page, "county-csp", PASSWORD)
    for path in ("/rectification/", "/complaints/", "/complaints/import/", "/reporting/dashboard/",
                 f"/complaints/estates/{estate.pk}/qr/", "/api/docs/", "/admin/"):
        where["path"] = path
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
    page.goto(page.base_url + "/api/docs/")
    page.wait_for_selector(".swagger-ui", timeout=15000)  # Swagger UI started from its script file
    assert violations == []
