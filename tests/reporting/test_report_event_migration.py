"""reporting/0008_report_event_one_log copies the old unit and enterprise report logs into
ReportEvent. Its RunPython functions are called directly with a stand-in for the historical
`apps`: the old models are plain rows (they no longer exist), the target is today's ReportEvent,
whose fields the migration's historical one has. Nothing is migrated back and forth, so no
schema or content-type state outlives the test (unlike MigrationExecutor, which broke the
transactional tests after it)."""

import importlib
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from reporting.models import EnterpriseReport, ReportEvent, UnitReport
from reporting.selectors import enterprise_duty
from reporting.services import unit_duty

migration = importlib.import_module("reporting.migrations.0008_report_event_one_log")

pytestmark = pytest.mark.django_db
AT = datetime(2025, 6, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class OldLog:
    """An old UnitReportEvent / EnterpriseReportEvent table: rows in, rows out."""

    def __init__(self, rows=()):
        self.rows = list(rows)
        self.objects = self

    def order_by(self, *fields):
        return self

    def iterator(self, chunk_size):
        return iter(self.rows)

    def __call__(self, **values):  # the model's constructor, for copy_back
        return SimpleNamespace(**values)

    def bulk_create(self, rows):
        self.rows.extend(rows)


class Apps:
    def __init__(self, **models):
        self.models = {"ReportEvent": ReportEvent, **models}

    def get_model(self, app_label, name):
        assert app_label == "reporting"
        return self.models[name]


def _row(report, to_status, *, from_status="", minutes=0, actor=None, note=""):
    return SimpleNamespace(report_id=report.pk, actor_id=actor.pk if actor else None, at=AT + timedelta(minutes=minutes),
                           from_status=from_status, to_status=to_status, note=note)


@pytest.fixture
def reports(tree, estates, enterprise_user):
    unit = UnitReport.objects.create(duty=unit_duty(tree["haiyang"]), unit=tree["haiyang"], period="2025-06")
    enterprise = EnterpriseReport.objects.create(duty=enterprise_duty(tree["county"]), county=tree["county"],
                                                 enterprise=enterprise_user.enterprise, period="2025-06")
    return unit, enterprise


def test_old_rows_become_report_events_with_the_kind_of_their_step(reports, town_user, office_user):
    unit, enterprise = reports
    apps = Apps(
        UnitReportEvent=OldLog([
            _row(unit, "submitted", from_status="draft", actor=town_user, note="逾期报送"),
            _row(unit, "returned", from_status="submitted", minutes=5, actor=office_user, note="请补充"),
            _row(unit, "accepted", from_status="submitted", minutes=9, actor=office_user),
        ]),
        EnterpriseReportEvent=OldLog([_row(enterprise, "submitted", from_status="draft")]),
    )
    migration.copy_into_report_event(apps, None)
    unit_events = list(unit.events.order_by("at", "id").values_list("kind", "from_state", "to_state", "note", "actor"))
    assert unit_events == [
        ("submit", "draft", "submitted", "逾期报送", town_user.pk),
        ("return", "submitted", "returned", "请补充", office_user.pk),
        ("accept", "submitted", "accepted", "", office_user.pk),
    ]
    assert [(e.kind, e.at, e.actor_id) for e in enterprise.events.all()] == [("submit", AT, None)]
    assert ReportEvent.objects.filter(unit_report=unit, enterprise_report__isnull=True).count() == 3


def test_large_logs_are_copied_whole_in_batches(reports):
    unit, _enterprise = reports
    apps = Apps(UnitReportEvent=OldLog([_row(unit, "submitted", minutes=n) for n in range(2001)]),
                EnterpriseReportEvent=OldLog())
    migration.copy_into_report_event(apps, None)
    assert unit.events.count() == 2001


def test_copy_back_restores_the_old_rows(reports, town_user):
    unit, enterprise = reports
    ReportEvent.objects.create(unit_report=unit, actor=town_user, at=AT, kind="submit", from_state="draft",
                               to_state="submitted", note="按时报送")
    ReportEvent.objects.create(enterprise_report=enterprise, at=AT, kind="return", from_state="submitted",
                               to_state="returned", note="请补充")
    old_unit, old_enterprise = OldLog(), OldLog()
    migration.copy_back(Apps(UnitReportEvent=old_unit, EnterpriseReportEvent=old_enterprise), None)
    assert [vars(r) for r in old_unit.rows] == [{"report_id": unit.pk, "actor_id": town_user.pk, "at": AT,
                                                 "from_status": "draft", "to_status": "submitted", "note": "按时报送"}]
    assert [(r.report_id, r.to_status) for r in old_enterprise.rows] == [(enterprise.pk, "returned")]
