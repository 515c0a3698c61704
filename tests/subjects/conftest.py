"""Subjects test data: a developer of 海阳镇 with a project at 海阳花园, and one of 万安镇."""

from datetime import date

import pytest

from subjects import services
from subjects.models import CommitteeKind
from tests.factories import valid_credit_code


@pytest.fixture
def developer(estates, county_user, tree):
    developer = services.developer_save(user=county_user, name="海阳置业有限公司", credit_code=valid_credit_code(901),
                                        region=tree["haiyang"])
    services.project_save(user=county_user, developer_id=developer.pk, name="海阳花园一期",
                          estate_ids=[estates["haiyang_1"].pk])
    return developer


@pytest.fixture
def wanan_developer(estates, county_user, tree):
    developer = services.developer_save(user=county_user, name="万安置业有限公司", credit_code=valid_credit_code(902),
                                        region=tree["wanan"])
    services.project_save(user=county_user, developer_id=developer.pk, name="横江苑", estate_ids=[estates["wanan_1"].pk])
    return developer


def committee_for(user, estate, *, term_end=date(2028, 6, 30), party=False, kind=CommitteeKind.OWNERS_COMMITTEE):
    return services.committee_save(user=user, data=services.CommitteeInput(
        estate_id=estate.pk, kind=kind, term_start=term_end.replace(year=term_end.year - 5), term_end=term_end,
        has_party_organisation=party))
