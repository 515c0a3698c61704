"""A developer's or committee's case is theirs: it does not count for the estate's enterprise."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from campaigns.models import ProblemCategory, SubjectKind
from core.errors import InvalidState
from enterprises.credit_rules import jurisdiction_facts
from rectification.models import Case, CaseEvent, ClueSource
from rectification.services import ClueInput, clues_intake, supervision_record
from tests.conftest import login

from .conftest import committee_for


def _open(estate, code, **subject):
    [result] = clues_intake(clues=[ClueInput(estate=estate, category=ProblemCategory.objects.get(code=code),
                                             source=ClueSource.INSPECTION, **subject)])
    return Case.objects.get(pk=result.case_id)


def test_taxonomy_defaults_and_plan_items(db):
    subjects = dict(ProblemCategory.objects.values_list("code", "default_subject"))
    assert subjects["G1"] == subjects["G7"] == SubjectKind.DEVELOPER
    assert subjects["H6"] == SubjectKind.COMMITTEE
    assert subjects["J2"] == subjects["J8"] == SubjectKind.GOVERNMENT
    assert subjects["A1"] == subjects["F7"] == SubjectKind.ENTERPRISE
    plans = dict(ProblemCategory.objects.values_list("code", "seed_plans"))
    assert plans["F3"] == ["zhongshan", "panjin"] and plans["F4"] == ["zhongshan"] and "shanxi" not in plans["F5"]
    for code in ("A5", "A6", "A7", "F7", "F8", "F9", "J3", "J4", "J5", "J6", "J7", "J8"):
        assert plans[code], code  # every new item names its plan


def test_g_case_is_the_developers_and_not_in_the_enterprise_evaluation(estates, developer, tree):
    estate = estates["haiyang_1"]
    today = date.today()
    g_case = _open(estate, "G5")
    assert g_case.subject_kind == SubjectKind.DEVELOPER and g_case.developer_id == developer.pk
    assert g_case.enterprise_id == estate.enterprise_id  # the estate's enterprise stays on record
    a_case = _open(estate, "A1")
    assert a_case.subject_kind == SubjectKind.ENTERPRISE
    Case.objects.filter(pk__in=[g_case.pk, a_case.pk]).update(deadline=today - timedelta(days=5))

    facts = jurisdiction_facts(jurisdiction=tree["county"], period_start=today.replace(day=1), period_end=today,
                               today=today)
    assert facts[estate.enterprise_id].overdue_cases == 1  # the A1 case only


def test_enterprise_user_does_not_see_the_developers_case(estates, developer, enterprise_user, client):
    g_case = _open(estates["haiyang_1"], "G5")
    a_case = _open(estates["haiyang_1"], "A1")
    visible = set(Case.objects.visible_to(enterprise_user).values_list("pk", flat=True))
    assert a_case.pk in visible and g_case.pk not in visible
    login(client, enterprise_user)
    assert client.get(reverse("rectification:case-detail", args=[g_case.pk])).status_code == 404


def test_h_case_takes_the_estates_committee(estates, county_user):
    committee = committee_for(county_user, estates["haiyang_1"])
    case = _open(estates["haiyang_1"], "H1")
    assert case.subject_kind == SubjectKind.COMMITTEE and case.owners_committee_id == committee.pk
    assert "业委会" in case.subject_name or "业主委员会" in case.subject_name


def test_county_changes_the_subject_with_an_event(estates, developer, county_user, client):
    case = _open(estates["haiyang_1"], "A1")
    login(client, county_user)
    url = reverse("subjects:case-subject", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject_kind": "developer", "developer": developer.pk, "note": "系建设单位遗留问题"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.subject_kind == SubjectKind.DEVELOPER and case.developer_id == developer.pk
    event = CaseEvent.objects.get(case=case, transition="set_subject")
    assert event.actor == county_user and event.data["before"]["subject_kind"] == "enterprise"
    # a developer named without choosing one: a Chinese message and 4xx, nothing changed
    response = client.post(url, {"subject_kind": "committee", "note": "改为业委会"})
    assert response.status_code == 400 and "请选择业委会" in response.content.decode()


def test_town_may_not_change_the_subject(estates, town_user, client):
    case = _open(estates["haiyang_1"], "A1")
    login(client, town_user)
    assert client.post(reverse("subjects:case-subject", args=[case.pk]),
                       {"subject_kind": "government", "note": "x"}).status_code == 403


def test_other_towns_case_subject_page_is_404(estates, other_town_user, client):
    case = _open(estates["haiyang_1"], "A1")
    login(client, other_town_user)
    assert client.get(reverse("subjects:case-subject", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("code", ["G1"])
def test_blacklist_nomination_refused_for_a_developers_case(estates, developer, county_user, code):
    case = _open(estates["haiyang_1"], code)
    with pytest.raises(InvalidState):
        supervision_record(user=county_user, case_id=case.pk, kind="blacklist_nomination", occurred_on=date.today(),
                           outcome="提名", basis="盘锦市方案")
