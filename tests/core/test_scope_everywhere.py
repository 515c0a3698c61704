"""Every API list and every page export, called by users of a limited scope, returns nothing that
`Model.objects.visible_to(user)` hides from them.

Generated from the URL configuration, so a new endpoint is covered without anyone adding it:
- API lists: every DRF viewset route under /api/v1/ whose GET is `list`; the ids returned must be
  visible_to the caller, every page of them; the detail route of a hidden row must be 404;
- exports: every page view whose code reads `GET.get("export")` (xlsx, and csv where it offers
  it), called for the whole list and, where the URL takes an id, for rows in and out of scope.
Both are also searched for the tell-tale values of hidden rows (an estate's name, a case number, a
complaint's tracking code, an enterprise's credit code), which catches rows of another model
nested in an answer. The data is the demo county (seed_demo), which holds rows of every kind in
several towns; the callers are a town officer of 海阳镇 and one of 万安镇, a community officer, an
enterprise and discipline inspection. A list whose rows none of them has out of scope fails too:
the demo must then grow a row that tests it."""

import csv
import inspect
import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from rest_framework.request import Request
from rest_framework.test import APIClient

from accounts.models import Role, User
from communities.models import Estate, Region
from complaints.models import Complaint
from enterprises.models import Enterprise, Evaluation
from rectification.models import Case
from tests.conftest import login
from tests.inspections.factories import make_round

pytestmark = pytest.mark.django_db

#: page exports left out, each with its reason (keep this short)
EXPORT_EXCEPTIONS = {
    "credit-public:list": "公开页面（无需登录）：已公布的红黑榜依法向社会公开，不分管辖范围",
}
#: what the id in a parametrised export URL is (a new one must be added here, or the test fails)
EXPORT_URL_MODELS = {
    "enterprises:evaluation-detail": Evaluation,
    "public_revenue:estate": Estate,
}
EXPORT_RE = re.compile(r"""GET\.get\(\s*["']export["']""")


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def api_list_routes() -> dict[str, type]:
    """{url name: viewset class} of every viewset's list route."""
    routes = {}
    for name, entry in _walk(get_resolver().url_patterns):
        actions = getattr(entry.callback, "actions", None) or {}
        if actions.get("get") == "list" and reverse(name).startswith("/api/v1/"):
            routes[name] = entry.callback.cls
    return routes


def export_routes() -> dict[str, tuple[object, tuple[str, ...], list[str]]]:
    """{url name: (view, formats, URL parameters)} of every page view that offers ?export=."""
    routes = {}
    for name, entry in _walk(get_resolver().url_patterns):
        view = inspect.unwrap(entry.callback)
        if getattr(entry.callback, "cls", None) is not None or not inspect.isfunction(view):
            continue
        source = inspect.getsource(view)
        if EXPORT_RE.search(source):
            formats = ("xlsx", "csv") if '"csv"' in source else ("xlsx",)
            routes[name] = (view, formats, list(entry.pattern.converters))
    return routes


def test_the_walk_finds_the_known_lists_and_exports():
    """Guards the generator itself: if these stop being found, the walk is broken, not the app."""
    apis = api_list_routes()
    assert {"case-list", "complaint-list", "estate-list", "evaluation-list", "report-list"} <= set(apis)
    exports = export_routes()
    assert {"complaints:list", "rectification:case-list", "enterprises:evaluation-detail",
            "public_revenue:estate", "inspections:visit-list"} <= set(exports)
    assert set(EXPORT_URL_MODELS) == {n for n, (_, _, params) in exports.items() if params} - set(EXPORT_EXCEPTIONS)


# ---------------------------------------------------------------------------------------------


def _model_of(viewset, user, url):
    view = viewset()
    view.request = Request(RequestFactory().get(url))
    view.request.user = user
    view.action, view.kwargs, view.format_kwarg = "list", {}, None
    return view.get_queryset().model


class Tells:
    """The values that give away rows hidden from one user."""

    def __init__(self, user):
        def hidden(model):
            return model.objects.exclude(pk__in=model.objects.visible_to(user).values("pk"))

        shown_names = set(Estate.objects.visible_to(user).values_list("name", flat=True))
        self.names = set(hidden(Estate).values_list("name", flat=True)) - shown_names
        self.codes = {c.number for c in hidden(Case).only("pk", "created_at")}
        self.codes |= set(hidden(Complaint).values_list("tracking_code", flat=True))
        self.codes |= set(hidden(Enterprise).values_list("credit_code", flat=True))

    def found_in(self, values) -> list[str]:
        """Whole values only: a hidden row shows as its own field or cell; a visible row's free
        text may name what it is about (a credit event's description names its case)."""
        return sorted({v for v in (str(v).strip() for v in values) if v in self.names or v in self.codes})


def _strings(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
    elif isinstance(data, str):
        yield data


def _cells(response, export):
    if export == "csv":
        return [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None]


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    users = {u.username: u for u in User.objects.filter(
        username__in=["demo-town", "demo-community", "demo-enterprise", "demo-discipline"])}
    wanan = Region.objects.get(name="万安镇", parent__code="341022")
    users["town-wanan"] = User.objects.create_user(username="town-wanan", password="Test@2025x", role=Role.TOWN,
                                                   region=wanan)
    # the demo's rounds are the county's, which every user of it sees: one of 万安镇 alone
    make_round(User.objects.get(username="demo-county"), wanan, name="万安镇专项排查")
    return users


def test_no_list_or_export_returns_a_row_outside_the_users_scope(client, demo):
    leaks, untested = [], set()
    apis, exports = api_list_routes(), export_routes()
    tested = {name: False for name in [*apis, *exports] if name not in EXPORT_EXCEPTIONS}
    for label, user in demo.items():
        tells = Tells(user)
        api = APIClient()
        api.force_authenticate(user)
        for name, viewset in apis.items():
            url = reverse(name)
            model = _model_of(viewset, user, url)
            visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
            hidden = model.objects.exclude(pk__in=visible).values_list("pk", flat=True)
            tested[name] |= bool(hidden)
            ids, page = [], f"{url}?page_size=200"
            while page:
                response = api.get(page)
                if response.status_code != 200:
                    break
                data = response.json()
                ids += [row["id"] for row in data["results"]]
                if tells.found_in(_strings(data)):
                    leaks.append(f"{label} GET {page}: {tells.found_in(_strings(data))[:5]}")
                page = data.get("next")
            if set(ids) - visible:
                leaks.append(f"{label} GET {url}: {model.__name__} {sorted(set(ids) - visible)[:10]}")
            for pk in list(hidden[:3]):
                status = api.get(f"{url}{pk}/").status_code
                if status not in (403, 404):
                    leaks.append(f"{label} GET {url}{pk}/: {status}")

        login(client, user)
        for name, (_, formats, params) in exports.items():
            if name in EXPORT_EXCEPTIONS:
                continue
            if params:
                model = EXPORT_URL_MODELS[name]
                shown = list(model.objects.visible_to(user).values_list("pk", flat=True)[:5])
                hidden = list(model.objects.exclude(pk__in=model.objects.visible_to(user).values("pk"))
                              .values_list("pk", flat=True)[:3])
                tested[name] |= bool(hidden)
                urls = [(reverse(name, kwargs={params[0]: pk}), pk in shown) for pk in [*shown, *hidden]]
            else:
                urls = [(reverse(name), True)]
                tested[name] |= bool(tells.names)
            for url, in_scope in urls:
                for export in formats:
                    response = client.get(url, {"export": export})
                    if response.status_code != 200:
                        continue
                    if not in_scope:
                        leaks.append(f"{label} GET {url}?export={export}: 200 for a row outside the scope")
                    elif found := tells.found_in(_cells(response, export)):
                        leaks.append(f"{label} GET {url}?export={export}: {found[:5]}")
    untested = sorted(name for name, was in tested.items() if not was)
    assert not leaks, "\n".join(leaks)
    assert not untested, f"no demo row is outside these users' scope, so nothing tests these: {untested}"
