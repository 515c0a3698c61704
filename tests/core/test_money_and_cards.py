"""Money reads with thousands separators everywhere (`|money`), and every list table is a phone
card table (`table-cards` with labelled cells; static/css/app.css)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from core.templatetags.ui import money

TEMPLATES = Path(settings.BASE_DIR) / "templates"
#: a matrix (towns × figures, two header rows), kept a table that scrolls inside its box
NOT_CARDS = {"reporting/statistics.html": 1}


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("1234567.5"), "1,234,567.50"), (Decimal("0"), "0.00"), (None, "0.00"), ("", "0.00"),
    (Decimal("-12000"), "-12,000.00"), ("98765.432", "98,765.43"), (12, "12.00"), ("无效", "无效"),
    ("1,234.5", "1,234.50"),
])
def test_money(value, shown):
    assert money(value) == shown


def test_money_in_a_template_and_through_the_revenue_library():
    both = Template("{% load ui %}{{ a|money }}|{% load revenue %}{{ a|money }}")
    assert both.render(Context({"a": Decimal("12000.5")})) == "12,000.50|12,000.50"


def test_the_revenue_pages_use_it():
    for name in ("estate_ledger.html", "overview.html", "public_estate.html", "disclosure_list.html"):
        text = (TEMPLATES / "public_revenue" / name).read_text()
        shown = re.findall(r"\{\{ [\w.]*(?:income|spending|balance|amount|share)[\w.]* \}\}", text)
        shown = [s for s in shown if "percent" not in s]  # a share cap is a percentage, not money
        assert shown == [], f"{name}: {shown} without |money"


def test_every_table_with_a_header_is_a_card_table():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        name = str(path.relative_to(TEMPLATES))
        plain = [m for m in re.finditer(r"<table\b[^>]*>", text) if "table-cards" not in m.group(0)
                 and "<thead" in text[m.end():text.find("</table>", m.end())]]
        if len(plain) != NOT_CARDS.get(name, 0):
            missing.append(name)
    assert missing == []


def test_the_main_lists_label_their_cells_without_javascript():
    for name in ("rectification/case_list.html", "complaints/complaint_list.html", "rectification/clue_list.html",
                 "communities/estate_list.html", "enterprises/enterprise_list.html", "enterprises/public_list.html",
                 "inspections/visit_list.html", "inspections/round_list.html"):
        text = (TEMPLATES / name).read_text()
        body = text[text.index("<tbody"):]
        cells = re.findall(r"<td\b[^>]*>", body[:body.find("{% empty %}")])
        assert cells and all("data-label=" in c for c in cells), name


def test_the_filter_form_folds_into_one_button():
    text = (TEMPLATES / "_filter_form.html").read_text()
    assert 'data-bs-toggle="collapse"' in text and "d-sm-none" in text and "filter-collapse" in text
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert "table.table-cards > thead" in css and "attr(data-label)" in css and "max-width: 575.98px" in css
