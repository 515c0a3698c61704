"""One audit shape (core.audit.Event) under every per-object log, read-only in the admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from core.audit import Event

SHAPE = ("actor", "at", "kind", "from_state", "to_state", "note", "data")


def _event_models():
    return [model for model in apps.get_models() if issubclass(model, Event)]


def test_every_log_has_the_one_shape():
    names = {model._meta.label for model in _event_models()}
    assert names >= {"rectification.CaseEvent", "complaints.ComplaintEvent", "public_revenue.RevenueEvent",
                     "enterprises.CreditLog", "reporting.ReportEvent"}
    for model in _event_models():
        assert {f.name for f in model._meta.get_fields()} >= set(SHAPE), model


@pytest.mark.django_db
def test_events_are_read_only_in_the_admin(county_user):
    request = RequestFactory().get("/admin/")
    request.user = county_user
    event_models = set(_event_models())
    checked = 0
    for model_admin in admin.site._registry.values():
        if model_admin.model in event_models:
            assert not model_admin.has_add_permission(request), model_admin
            assert not model_admin.has_change_permission(request), model_admin
            assert not model_admin.has_delete_permission(request), model_admin
            checked += 1
        for inline in model_admin.inlines:
            if inline.model in event_models:
                view = inline(model_admin.model, admin.site)
                assert not view.has_add_permission(request, None), view
                assert not view.has_delete_permission(request, None), view
                assert not view.has_change_permission(request, None), view
                checked += 1
    assert checked >= 5
