"""Two officers issue a document of the same kind at the same moment: two different numbers.

Needs PostgreSQL: SQLite serialises writers on the whole file, so the race cannot be staged on it."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from rectification.documents import case_document_issue
from rectification.models import CaseDocument
from tests.factories import UserFactory
from tests.rectification.factories import rectifying_case

IS_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.skipif(not IS_POSTGRES, reason="并发编号测试需要 PostgreSQL：设置 DATABASE_URL=postgres://… 后运行"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_two_simultaneous_documents_get_two_numbers(estates, county_user, tree):
    from accounts.models import Role

    office = UserFactory(username="office-doc", role=Role.COUNTY_OFFICE, region=tree["county"])
    cases = [rectifying_case(estates["haiyang_1"]), rectifying_case(estates["haiyang_2"])]
    barrier = threading.Barrier(2)
    errors = []

    def issue(user, case):
        try:
            barrier.wait(timeout=10)
            case_document_issue(case_id=case.pk, user=user, kind="rectification_notice")
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=pair) for pair in zip([county_user, office], cases, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(CaseDocument.objects.values_list("serial", flat=True)) == [1, 2]
