import pytest
from django.core.management import call_command

from enterprises.models import ExitRecord, ListEntry

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_look(page, live_server):
    call_command("seed_demo")
    browser_login(page, "demo-county", "Demo@2025")
    black = ListEntry.objects.filter(list_type="black").first()
    page.goto(f"{live_server.url}/enterprises/{black.enterprise_id}/credit/")
    screenshot(page, "tmp-credit-file")
    page.goto(f"{live_server.url}/enterprises/evaluations/{black.evaluation_id}/")
    screenshot(page, "tmp-evaluation-published")
    page.goto(f"{live_server.url}/enterprises/exits/{ExitRecord.objects.get().pk}/")
    screenshot(page, "tmp-exit")
    page.goto(f"{live_server.url}/enterprises/")
    screenshot(page, "tmp-enterprise-list")
    browser_login(page, "demo-enterprise", "Demo@2025")
    page.goto(f"{live_server.url}/enterprises/my-credit/")
    screenshot(page, "tmp-my-credit")
    print("COUNTS", ListEntry.objects.filter(list_type="black").count(), ListEntry.objects.filter(list_type="red").count())
