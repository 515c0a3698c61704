"""The tracking page explains the campaign's terms (待销号, 销号, 挂牌督办) where residents read them."""

from datetime import date

import pytest

from rectification.services import supervision_record
from rectification.terms import PUBLIC_TERMS, term_meaning

from .factories import complaint

pytestmark = pytest.mark.django_db


def _track(client, c, last4="1111"):
    return client.post("/complaints/track/", {"code": c.tracking_code, "last4": last4}).content.decode()


def test_the_tracking_page_explains_the_terms_and_the_case_state(client, estates):
    c = complaint(estates["haiyang_1"])
    body = _track(client, c)
    assert 'data-testid="public-terms"' in body
    for term, meaning in PUBLIC_TERMS:
        assert f"<dt class=\"col-sm-3\">{term}</dt>" in body and meaning in body
    assert 'data-testid="track-case-state"' in body
    assert f'<abbr title="{term_meaning("待核查")}">待核查</abbr>' in body
    assert "badge text-bg-danger ms-1" not in body  # not under listed supervision


def test_a_case_under_listed_supervision_says_so_with_its_meaning(client, estates, county_user):
    c = complaint(estates["haiyang_1"])
    supervision_record(case_id=c.case_id, user=county_user, kind="listed_supervision", level="city",
                       deadline=date(2099, 1, 31))
    body = _track(client, c)
    assert f'<abbr title="{term_meaning("挂牌督办")}">挂牌督办</abbr>' in body


def test_a_closed_state_reads_as_its_term():
    assert term_meaning("已销号") == term_meaning("销号") != ""
    assert term_meaning("不存在的说法") == ""
