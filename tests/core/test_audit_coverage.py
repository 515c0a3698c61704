"""Every write service records one audit event (core.audit): each public write function of an
app's services.py is declared with @audited("app.EventModel") or @not_audited("why"), and a
representative set of them, called, writes exactly one row of the log it declares."""

import importlib
import importlib.util
from datetime import date, timedelta
from decimal import Decimal
from inspect import getmembers, isfunction

import pytest
from django.apps import apps
from django.utils import timezone

from core.audit import WRITE_SERVICES, Event
from enterprises import services as enterprises
from inspections import services as inspections
from rectification import services as rectification
from reporting import periods
from reporting import services as reporting
from tests.inspections.factories import all_pass, category
from tests.rectification.factories import rectifying_case

#: a function of a services module is a write if one of the words of its name is one of these
WRITE_VERBS = {
    "add", "answer", "anonymise", "approve", "close", "create", "decide", "draw", "end", "file", "follow", "intake",
    "join", "lift", "mark", "move", "obtain", "open", "publish", "rate", "record", "regrade", "remember", "reopen",
    "refer", "reply", "resolve", "review", "revoke", "save", "send", "set", "split", "submit", "tick", "transition",
    "update", "withdraw",
    "cast", "change", "delete", "disable", "enter", "fill", "grant", "import", "issue", "reassign", "register", "remove",
    "renew", "reset", "sync",
}


def _services_modules():
    for config in apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.services"):
            yield importlib.import_module(f"{config.name}.services")


def _write_functions(module):
    for name, func in getmembers(module, isfunction):
        if func.__module__ == module.__name__ and not name.startswith("_") and WRITE_VERBS & set(name.split("_")):
            yield f"{module.__name__}.{name}"


def test_every_write_service_declares_its_log():
    modules = list(_services_modules())
    assert {m.__name__ for m in modules} >= {f"{app}.services" for app in (
        "rectification", "complaints", "inspections", "public_revenue", "enterprises", "reporting")}
    undeclared = [name for module in modules for name in _write_functions(module) if name not in WRITE_SERVICES]
    assert not undeclared, f"declare these with core.audit.audited / not_audited: {undeclared}"


def test_each_declaration_names_a_log_or_a_reason():
    assert len(WRITE_SERVICES) >= 50
    for service in WRITE_SERVICES.values():
        if service.event_model:
            assert issubclass(apps.get_model(service.event_model), Event), service
        else:
            assert len(service.reason) > 10, service


# ---------------------------------------------------------------------------------------------
# Called, a declared service writes one row of its log


@pytest.fixture
def one_event():
    """one_event(service, lambda: service(...)): the call adds exactly one row to the declared log."""

    def check(service, call):
        declared = WRITE_SERVICES[f"{service.__module__}.{service.__name__}"]
        model = apps.get_model(declared.event_model)
        before = set(model.objects.values_list("pk", flat=True))
        result = call()
        added = model.objects.exclude(pk__in=before)
        assert added.count() == 1, f"{declared.name} wrote {added.count()} rows of {declared.event_model}"
        return result, added.get()

    return check


pytestmark = pytest.mark.django_db


def test_reporting_writes(one_event, town_user, tree):
    month = periods.period_containing("month", timezone.localdate())
    report, event = one_event(reporting.unit_report_save, lambda: reporting.unit_report_save(
        user=town_user, period=month, progress="排查过半"))
    assert (event.kind, event.unit_report, event.actor) == ("save", report, town_user)
    _report, event = one_event(reporting.unit_report_save, lambda: reporting.unit_report_save(
        user=town_user, period=month, submit=True))
    assert (event.kind, event.to_state) == ("submit", "submitted")


def test_enterprises_writes(one_event, county_user, estates):
    estate = estates["haiyang_1"]
    today = timezone.localdate()
    credit, event = one_event(enterprises.credit_event_add, lambda: enterprises.credit_event_add(
        user=county_user, enterprise_id=estate.enterprise_id, kind="commendation", occurred_on=today,
        description="通报表彰"))
    assert (event.kind, event.enterprise_id, event.data["credit_event_id"]) == ("event_recorded", estate.enterprise_id,
                                                                                credit.pk)
    record, event = one_event(enterprises.exit_open, lambda: enterprises.exit_open(
        user=county_user, estate_id=estate.pk, reason="dismissed", decision="业主大会决议解聘",
        decision_date=today - timedelta(days=10), notice_date=today - timedelta(days=5),
        handover_deadline=today + timedelta(days=30), new_manager_name="业主委员会"))
    assert (event.kind, event.data["exit_id"], event.actor) == ("exit_opened", record.pk, county_user)
    item = record.handover_items.first()
    _item, event = one_event(enterprises.handover_tick, lambda: enterprises.handover_tick(
        user=county_user, item_id=item.pk, done_on=today, evidence="交接单"))
    assert (event.kind, event.data["handover_item_id"]) == ("handover_ticked", item.pk)
    _litigation, event = one_event(enterprises.exit_litigation_record, lambda: enterprises.exit_litigation_record(
        user=county_user, exit_id=record.pk, court="休宁县人民法院", case_number="（2025）1号", stage="filed"))
    assert event.kind == "litigation_recorded"
    _record, event = one_event(enterprises.exit_refer_market_regulation, lambda: enterprises.exit_refer_market_regulation(
        user=county_user, exit_id=record.pk, referred_on=today, note="已报告"))
    assert event.kind == "market_referral"
    rectifying_case(estate, deadline=date(2020, 1, 1))
    change, event = one_event(enterprises.service_level_regrade, lambda: enterprises.service_level_regrade(
        user=county_user, estate_id=estate.pk, to_level="4", fee_after=Decimal("0.8"), decision_number="休发改价〔2025〕3号",
        effective_on=today, reason="拒不整改"))
    assert (event.kind, event.to_state, event.data["service_level_change_id"]) == ("level_regraded", "4", change.pk)


def test_inspections_writes(one_event, county_user, community_user, tree, estates):
    today = timezone.localdate()
    round, event = one_event(inspections.round_create, lambda: inspections.round_create(
        user=county_user, name="第一轮", region_id=tree["county"].pk, start_date=today - timedelta(days=5),
        end_date=today + timedelta(days=5)))
    assert (event.kind, event.round) == ("round_created", round)
    item = round.items.get(category=category("A1"))
    _count, event = one_event(inspections.checklist_update, lambda: inspections.checklist_update(
        user=county_user, round_id=round.pk, changes={item.pk: {"label": "消防通道", "is_active": True}}))
    assert event.kind == "checklist_changed"
    visit, event = one_event(inspections.visit_save, lambda: inspections.visit_save(
        user=community_user, round_id=round.pk, estate_id=estates["haiyang_1"].pk, visited_on=today))
    assert (event.kind, event.visit, event.to_state) == ("visit_saved", visit, "draft")
    _visit, event = one_event(inspections.visit_save, lambda: inspections.visit_save(
        user=community_user, visit_id=visit.pk, lines=all_pass(round), submit=True))
    assert (event.kind, event.from_state, event.to_state) == ("visit_submitted", "draft", "submitted")
    draw, event = one_event(inspections.spot_check_draw, lambda: inspections.spot_check_draw(
        user=county_user, region_id=tree["county"].pk, sample_size=1, seed=1, exclude_recent_days=0))
    assert (event.kind, event.draw) == ("spot_check_drawn", draw)


def test_plan_writes(one_event, county_user, estates):
    plan, event = one_event(rectification.plan_create, lambda: rectification.plan_create(
        user=county_user, estate_id=estates["haiyang_1"].pk, title="方案", content="内容", case_ids=[]))
    assert (event.kind, event.plan, event.to_state) == ("created", plan, "draft")
    _plan, event = one_event(rectification.plan_approve, lambda: rectification.plan_approve(user=county_user, plan_id=plan.pk))
    assert (event.from_state, event.to_state) == ("draft", "approved")
    _plan, event = one_event(rectification.plan_publish, lambda: rectification.plan_publish(user=county_user, plan_id=plan.pk))
    assert (event.from_state, event.to_state) == ("approved", "published")
