"""Phone layouts at 390 px (issue 19): for each role, every page of its navbar and the other lists it
may open, and every public page, has no horizontal overflow, and a list shows its rows as cards.

One browser, one seeded demo county (seed_demo) for the module, the pages visited in a loop: the
failures are gathered and reported together, page by page."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from communities.models import Estate
from complaints import privacy
from complaints.models import Complaint
from enterprises.models import ListEntry
from public_revenue.models import Disclosure
from rectification.models import EstatePlan, PlanStatus

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
ROLES = ["demo-county", "demo-town", "demo-community", "demo-enterprise", "demo-city", "demo-discipline"]
#: lists reached from a page rather than the navbar; a role that may not open one gets 403/404 and
#: the page is skipped
MORE_LISTS = [
    "/rectification/clues/", "/rectification/typical/", "/inspections/visits/", "/inspections/spot-checks/",
    "/enterprises/evaluations/", "/enterprises/exits/", "/revenue/disclosures/", "/reporting/review/",
    "/reporting/enterprise-review/", "/reporting/reports/", "/reporting/statistics/", "/complaints/statistics/",
    "/notifications/", "/help/",
]

#: what a page says of its layout: the overflow, and for each card table whether its rows are cards
MEASURE = """() => {
  const tables = Array.from(document.querySelectorAll("table.table-cards"));
  const rows = tables.flatMap(t => Array.from(t.tBodies).flatMap(b => Array.from(b.rows)));
  const wide = Array.from(document.querySelectorAll("body *")).filter(el => {
    const r = el.getBoundingClientRect();
    return r.right > window.innerWidth + 1 && getComputedStyle(el).position !== "fixed" && r.width > 0
      && !el.closest(".table-responsive, .overflow-auto, .navbar-collapse:not(.show), .visually-hidden, thead");
  }).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""));
  const plain = Array.from(document.querySelectorAll("table")).filter(t => !t.classList.contains("table-cards")
    && t.tHead && !t.closest(".table-responsive, .overflow-auto")).length;
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    cardTables: tables.length, rows: rows.length,
    cards: rows.filter(r => getComputedStyle(r).display === "block").length,
    // a row of one cell across the table ("暂无…") has no columns to name
    unlabelled: rows.filter(r => r.cells.length > 1 && !Array.from(r.cells).every(c => c.hasAttribute("data-label")
      || !c.textContent.trim())).length,
    wide: wide, plainTables: plain,
  };
}"""


def _check(page, url, problems, *, expect_cards=False):
    response = page.goto(page.base_url + url)
    if response is None or response.status in (403, 404):
        return None
    if response.status != 200:
        problems.append(f"{url}: HTTP {response.status}")
        return None
    m = page.evaluate(MEASURE)
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"{url}: 横向溢出 {m['scrollWidth']} > {m['innerWidth']}（{m['wide']}）")
    if m["rows"] and m["cards"] != m["rows"]:
        problems.append(f"{url}: {m['rows'] - m['cards']} 行没有显示为卡片")
    if m["unlabelled"]:
        problems.append(f"{url}: {m['unlabelled']} 行的单元格没有列名")
    if m["plainTables"]:
        problems.append(f"{url}: {m['plainTables']} 个表格既不是卡片也不在可横向滚动的容器中")
    if expect_cards and not m["cardTables"]:
        problems.append(f"{url}: 列表页没有卡片表格")
    return m


def _navbar_links(page):
    return page.evaluate("""() => Array.from(document.querySelectorAll('#mainnav a.nav-link:not(.dropdown-toggle), #mainnav a.dropdown-item'))
        .map(a => a.getAttribute('href')).filter(h => h && h.startsWith('/') && !h.startsWith('/admin/'))""")


def test_every_role_and_public_page_fits_a_phone(browser, live_server):
    call_command("seed_demo", verbosity=0)
    problems, visited, card_pages = [], 0, 0

    for username in ROLES:
        context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.base_url = live_server.url
        browser_login(page, username, DEMO_PASSWORD)
        page.wait_for_url("**/accounts/home/**")
        urls = list(dict.fromkeys(["/accounts/home/", *_navbar_links(page), *MORE_LISTS]))
        for url in urls:
            m = _check(page, url, problems)
            if m is not None:
                visited += 1
                card_pages += bool(m["rows"])
        # a row's detail, opened by a tap on its card
        page.goto(live_server.url + "/rectification/")
        card = page.locator("table.table-cards tbody tr[data-card-href]").first
        if card.count():
            href = card.get_attribute("data-card-href")
            card.locator("td[data-label=小区]").tap()  # not the link: the card itself
            page.wait_for_url(f"**{href}")
            m = _check(page, href, problems)
            visited += m is not None
        if username == "demo-community":
            page.goto(live_server.url + "/rectification/")
            screenshot(page, "phone-ledger-community-390")
            height = page.evaluate("document.documentElement.scrollHeight")
            rows = page.locator("[data-testid=case-row]").count()
            # was 4,938 px (one character per column); a card is a few lines
            assert height < 200 + rows * 190, f"社区台账页在手机上高 {height}px（{rows} 行）"
            # the filters fold into one button
            assert page.locator("[data-testid=filter-toggle]").is_visible()
            assert not page.locator("form.filter-form").is_visible()
            page.locator("[data-testid=filter-toggle]").tap()
            page.locator("form.filter-form").wait_for(state="visible")
        context.close()

    # the public pages, without login
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.base_url = live_server.url
    estate = Estate.objects.filter(enterprise__isnull=False).order_by("pk").first()
    entry = ListEntry.objects.order_by("pk").first()
    plan = EstatePlan.objects.filter(status=PlanStatus.PUBLISHED).order_by("pk").first()
    disclosure = Disclosure.objects.order_by("pk").first()
    public = ["/", "/complaints/new/", "/complaints/new/?q=花园", f"/complaints/new/?estate={estate.pk}",
              "/complaints/track/", "/credit/", "/credit/?type=black", "/credit/?type=red"]
    if entry:
        public.append(f"/credit/enterprises/{entry.enterprise_id}/")
    if plan:
        public.append(f"/public/estates/{plan.estate_id}/plan/")
    if disclosure:
        public.append(f"/revenue/public/estates/{disclosure.estate_id}/")
    for url in public:
        m = _check(page, url, problems)
        visited += m is not None
    # the 红黑榜 as a resident reads it: names on lines of their own, the 决定文号 whole
    page.goto(live_server.url + "/credit/")
    if entry:
        name = page.locator("[data-testid=public-entry] td[data-label=企业名称]").first
        assert name.bounding_box()["width"] > 150, "企业名称不能一字一行"
        number = page.locator("[data-testid=public-entry] td[data-label=决定文号]").first
        box = number.bounding_box()
        assert box["x"] + box["width"] <= 390, "决定文号不能被截断"
    screenshot(page, "phone-credit-public-390")
    page.goto(live_server.url + "/complaints/new/")
    screenshot(page, "phone-complaint-form-390")
    # a tracking result, with the terms explained
    complaint = Complaint.objects.exclude(phone_encrypted="").filter(case__isnull=False).order_by("pk").first()
    page.goto(live_server.url + "/complaints/track/")
    page.fill("input[name=code]", complaint.tracking_code)
    page.fill("input[name=last4]", privacy.phone_decrypt(complaint.phone_encrypted)[-4:])
    page.click("form button[type=submit]")
    page.locator("[data-testid=public-terms]").wait_for()
    m = page.evaluate(MEASURE)
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"查询结果页: 横向溢出 {m['scrollWidth']}")
    visited += 1
    context.close()

    # the same pages at 1280 px stay tables (the screenshots: /tmp/wuye-screenshots)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base_url = live_server.url
    for url, name in (("/complaints/new/", "desktop-complaint-form-1280"), ("/credit/", "desktop-credit-public-1280")):
        page.goto(live_server.url + url)
        screenshot(page, name)
    assert page.locator("[data-testid=public-entry]").first.evaluate("r => getComputedStyle(r).display") == "table-row"
    browser_login(page, "demo-community", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/home/**")
    page.goto(live_server.url + "/rectification/")
    assert not page.locator("[data-testid=filter-toggle]").is_visible() and page.locator("form.filter-form").is_visible()
    screenshot(page, "desktop-ledger-community-1280")
    context.close()

    assert visited > 40 and card_pages > 10, (visited, card_pages)
    assert problems == [], "\n".join(problems)
