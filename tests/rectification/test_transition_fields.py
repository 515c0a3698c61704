"""Each transition's fields, declared once in rectification.states, are what the page form shows,
what the API request describes and what case_transition enforces: a required value absent is
MissingField, a present value that is wrong is InvalidInput, both 400 with a Chinese message."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidInput, MissingField
from rectification.forms import transition_form
from rectification.models import CaseState
from rectification.services import case_transition
from rectification.states import CASE, CHOICE, DATE, FILES, REGION, TEXT, TRANSITIONS
from tests.conftest import login
from tests.rectification.factories import CaseFactory, add_evidence

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FIELDS = [(spec, f) for spec in TRANSITIONS.values() for f in spec.value_fields]


def field_id(param):
    return getattr(param, "name", None)


def case_for(spec, estates):
    state = sorted(spec.sources)[0]
    case = CaseFactory(estate=estates["haiyang_1"], state=state)
    add_evidence(case)  # 申请销号 and 销号 need evidence; it is checked after the values
    return case


def good_value(f, case, tree):
    return {
        TEXT: "现场已核实",
        DATE: timezone.localdate() + timedelta(days=10),
        CHOICE: f.choices[0][0] if f.choices else "",
        REGION: tree["xiuyang"],  # the community of 海阳花园
        CASE: CaseFactory(estate=case.estate, state=CaseState.RECTIFYING).pk,
    }[f.kind]


def bad_value(f, case, tree):
    """A value that is present but wrong for the field."""
    return {
        TEXT: "长" * (f.max_length + 1),
        DATE: timezone.localdate() - timedelta(days=1) if f.validator else "2025-13-01",
        CHOICE: "no_such_choice",
        REGION: tree["wanan"],  # another town
        CASE: case.pk,  # a case is not its own duplicate
    }[f.kind]


def good_values(spec, case, tree):
    return {f.name: good_value(f, case, tree) for f in spec.value_fields}


@pytest.mark.parametrize("spec", TRANSITIONS.values(), ids=lambda s: s.name)
def test_the_form_has_exactly_the_declared_fields(spec, estates, county_user):
    case = case_for(spec, estates)
    form = transition_form(spec, case, county_user)
    declared = {f.name for f in spec.fields} | {f"{f.name}_workdays" for f in spec.fields if f.workdays}
    assert set(form.fields) == declared
    for f in spec.fields:
        assert form.fields[f.name].label.startswith(f.label)
        assert ("（必填）" in form.fields[f.name].label) == f.required


def test_the_api_request_describes_every_declared_field(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    body = schema["paths"]["/api/v1/cases/{id}/transition/"]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[1]
    properties = schema["components"]["schemas"][name]["properties"]
    for spec, f in FIELDS:
        assert f.name in properties, (spec.name, f.name)
        if f.workdays:
            assert f"{f.name}_workdays" in properties
    assert "files" in properties
    choice = properties["verification_result"]
    assert set(choice.get("enum", []) or _enum(schema, choice)) >= {"true", "partly_true"}


def _enum(schema, prop):
    ref = next((p["$ref"] for p in prop.get("oneOf", prop.get("allOf", [])) if "$ref" in p), None)
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"] if ref else []


@pytest.mark.parametrize("spec, f", [(s, f) for s, f in FIELDS if f.required], ids=lambda p: field_id(p))
def test_a_required_value_absent_is_missing_field(spec, f, estates, tree, county_user):
    case = case_for(spec, estates)
    values = good_values(spec, case, tree)
    values[f.name] = None
    with pytest.raises(MissingField) as exc:
        case_transition(case_id=case.pk, user=county_user, transition=spec.name, **values)
    assert exc.value.status_code == 400
    assert exc.value.message == f"“{spec.label}”需要填写：{f.label}。"
    case.refresh_from_db()
    assert case.version == 1 and not case.events.exists()


@pytest.mark.parametrize("spec, f", FIELDS, ids=lambda p: field_id(p))
def test_a_wrong_value_is_invalid_input(spec, f, estates, tree, county_user):
    case = case_for(spec, estates)
    values = {**good_values(spec, case, tree), f.name: bad_value(f, case, tree)}
    with pytest.raises(InvalidInput) as exc:
        case_transition(case_id=case.pk, user=county_user, transition=spec.name, **values)
    assert exc.value.status_code == 400 and not isinstance(exc.value, MissingField)
    assert CHINESE.search(exc.value.message)
    assert f.label.split("（")[0][:2] in exc.value.message
    case.refresh_from_db()
    assert case.version == 1 and not case.events.exists()


@pytest.mark.parametrize("spec", TRANSITIONS.values(), ids=lambda s: s.name)
def test_good_values_pass(spec, estates, tree, county_user):
    case = case_for(spec, estates)
    values = good_values(spec, case, tree)
    case = case_transition(case_id=case.pk, user=county_user, transition=spec.name, **values)
    assert case.version == 2
    for f in spec.value_fields:
        if f.saves_to:
            assert getattr(case, f.saves_to) == values[f.name]
    for name, value in spec.sets:
        assert getattr(case, name) == value


def test_a_value_the_transition_does_not_take_is_refused(estates, county_user):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    add_evidence(case)
    with pytest.raises(InvalidInput, match="不接受"):
        case_transition(case_id=case.pk, user=county_user, transition="close", measures="x")
    with pytest.raises(InvalidInput, match="不接受上传文件"):
        case_transition(case_id=case.pk, user=county_user, transition="return", reason="x", files=["a"])


@pytest.mark.parametrize("spec, f", [(s, f) for s, f in FIELDS if f.kind in (DATE, CHOICE, REGION)],
                         ids=lambda p: field_id(p))
def test_the_page_and_the_api_refuse_a_malformed_value_with_the_fields_message(
        spec, f, estates, tree, county_user, client, api_client):
    case = case_for(spec, estates)
    raw = {DATE: "2025-13-01", CHOICE: "no_such_choice", REGION: str(tree["wanan"].pk)}[f.kind]
    form = transition_form(spec, case, county_user, data={f.name: raw})
    assert not form.is_valid() and form.errors[f.name] == [f.invalid_message]
    response = login(client, county_user).post(f"/rectification/cases/{case.pk}/do/{spec.name}/", {f.name: raw})
    assert response.status_code == 400 and f.invalid_message in response.content.decode()
    api_client.force_authenticate(county_user)
    response = api_client.post(f"/api/v1/cases/{case.pk}/transition/", {"transition": spec.name, f.name: raw}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f.invalid_message
    case.refresh_from_db()
    assert case.version == 1


def test_files_are_declared_where_a_transition_takes_them():
    takes_files = {name for name, spec in TRANSITIONS.items() if any(f.kind == FILES for f in spec.fields)}
    assert takes_files == {"confirm", "not_true", "progress", "request_closure", "close", "reopen"}
    assert all(spec.accepts_files for spec in TRANSITIONS.values() if spec.needs_evidence)
