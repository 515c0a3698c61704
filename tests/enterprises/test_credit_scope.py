"""The credit-platform export and the objections: exported only by the county roles and only
inside their scope; objections read by the county roles and the enterprise itself."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from enterprises import selectors, services
from enterprises.models import CreditEvent, Evaluation, EvaluationStatus, ListEntry, ListType, Objection
from tests.conftest import login
from tests.factories import UserFactory

from .test_credit_pages import _published

pytestmark = pytest.mark.django_db

REFUSED = "只有县专班、县专班办公室和系统管理员可以导出信用平台推送数据。"


def _event(estate, description):
    today = timezone.localdate()
    return CreditEvent.objects.create(
        enterprise=estate.enterprise, kind="penalty", is_bad=True, occurred_on=today, counts_from=today,
        counts_until=today + timedelta(days=365), points=-10, description=description, estate=estate,
        region_path=estate.community.path,
    )


@pytest.mark.parametrize("role_fixture", ["town_user", "community_user", "city_user", "discipline_user"])
def test_only_county_roles_export_for_the_credit_platform(client, estates, county_user, tree, request, role_fixture):
    evaluation = _published(estates, county_user, tree)
    login(client, request.getfixturevalue(role_fixture))
    for export in ("xlsx", "csv"):
        response = client.get(f"/enterprises/evaluations/{evaluation.pk}/", {"export": export})
        assert response.status_code == 403 and REFUSED in response.content.decode()
    body = client.get(f"/enterprises/evaluations/{evaluation.pk}/").content.decode()
    assert "?export=xlsx" not in body


@pytest.mark.parametrize("role", [Role.COUNTY_GROUP, Role.COUNTY_OFFICE, Role.SYSADMIN])
def test_county_roles_and_the_administrator_export(client, estates, county_user, tree, role):
    evaluation = _published(estates, county_user, tree)
    user = UserFactory(role=role, region=None if role == Role.SYSADMIN else tree["county"])
    response = login(client, user).get(f"/enterprises/evaluations/{evaluation.pk}/", {"export": "csv"})
    assert response.status_code == 200 and "黑榜" in response.content.decode("utf-8-sig")


def test_the_export_holds_only_rows_the_user_may_see(client, estates, county_user, tree):
    """A city-wide evaluation exported by a county: its own county's bad events, not 屯溪区's."""
    admin = UserFactory(role=Role.SYSADMIN)
    today = timezone.localdate()
    evaluation = Evaluation.objects.create(
        title="黄山市评定", jurisdiction=tree["city"], period_start=today - timedelta(days=30), period_end=today,
        status=EvaluationStatus.PUBLISHED, created_by=admin,
    )
    _event(estates["haiyang_1"], "海阳花园消防通道堵塞")
    _event(estates["tunxi_1"], "老街府公共收益未公示")
    response = login(client, county_user).get(f"/enterprises/evaluations/{evaluation.pk}/", {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    descriptions = {r[4] for r in rows[1:]}
    assert descriptions == {"海阳花园消防通道堵塞"}
    response = login(client, admin).get(f"/enterprises/evaluations/{evaluation.pk}/", {"export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "海阳花园消防通道堵塞" in text and "老街府公共收益未公示" in text


@pytest.fixture
def objection(estates, county_user, enterprise_user, tree):
    evaluation = _published(estates, county_user, tree)
    entry = ListEntry.objects.get(evaluation=evaluation, list_type=ListType.BLACK)
    services.objection_file(user=enterprise_user, entry_id=entry.pk, content="处罚已履行完毕，申请复核（机密）")
    return Objection.objects.get()


@pytest.mark.parametrize("role_fixture, reads", [
    ("county_user", True), ("office_user", True), ("town_user", False), ("community_user", False),
    ("city_user", False), ("discipline_user", False),
])
def test_objections_are_read_by_the_county_roles_only(client, objection, request, role_fixture, reads):
    user = request.getfixturevalue(role_fixture)
    body = login(client, user).get(f"/enterprises/evaluations/{objection.entry.evaluation_id}/").content.decode()
    assert ("申请复核（机密）" in body) is reads  # neither in the objections table nor in the log
    assert ("<h2 class=\"h5\">异议</h2>" in body) is reads
    assert Objection.objects.visible_to(user).exists() is reads


def test_the_enterprise_reads_its_own_objection_only(client, objection, enterprise_user, estates):
    assert list(Objection.objects.visible_to(enterprise_user)) == [objection]
    assert "申请复核（机密）" in login(client, enterprise_user).get("/enterprises/my-credit/").content.decode()
    other = UserFactory(role=Role.ENTERPRISE, enterprise=estates["wanan_1"].enterprise)
    assert not Objection.objects.visible_to(other).exists()


def test_the_log_of_a_town_holds_only_its_enterprises(client, estates, county_user, town_user, tree):
    evaluation = _published(estates, county_user, tree)
    response = login(client, town_user).get(f"/enterprises/evaluations/{evaluation.pk}/")
    names = {row.enterprise.name for row in response.context["log"] if row.enterprise_id}
    assert names <= {"海阳物业公司"}
    county_names = {row.enterprise.name for row in selectors.evaluation_log(user=county_user, evaluation=evaluation)
                    if row.enterprise_id}
    assert "万安物业公司" in county_names
