"""The one intake: rectification.services.clues_intake records clues and opens or joins cases for
every source; case_open_or_join is its batch of one; only rectification/services.py writes case
events; the 多人同诉 rule is rectification.complainants."""

import re
from pathlib import Path

import pytest

from complaints import importer
from complaints.models import Channel, Complaint
from core.errors import NotFound
from rectification.complainants import complainant_added, complainants_distinct
from rectification.models import Case, CaseClue, CaseEvent, CaseEventKind, ClueSource
from rectification.services import ClueInput, case_open_or_join, clues_intake
from tests.complaints.factories import complaint, xlsx
from tests.rectification.factories import leaf_category

# bulk: writes through core.bulk (COPY or bulk_create); CI runs these again with DATABASE_COPY=off
pytestmark = [pytest.mark.django_db, pytest.mark.bulk]

ROOT = Path(__file__).resolve().parents[2]
INTAKE_DATA_KEYS = {"clue_id", "source", "reference", "complainant_count"}


def _event_shape(clue: CaseClue) -> tuple:
    """What the intake writes on a clue's case for that clue: (kind, label, data keys)."""
    event = CaseEvent.objects.get(case_id=clue.case_id, data__clue_id=clue.pk)
    return event.kind, event.label, set(event.data)


def test_a_batch_of_two_clues_of_one_estate_and_category_opens_one_case_and_joins_it(estates):
    category = leaf_category()
    clues = [ClueInput(estate=estates["haiyang_1"], category=category, source=ClueSource.INSPECTION, reference=ref,
                       complainant_count=n) for ref, n in (("甲", 2), ("乙", 3))]
    first, second = clues_intake(clues=clues)
    assert first.created and not second.created and first.case_id == second.case_id
    case = Case.objects.get()
    assert case.complainant_count == 5 and case.clues.count() == 2
    kinds = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", "note", "data__reference"))
    assert kinds == [(CaseEventKind.CREATED, "", "甲"), (CaseEventKind.CLUE_JOINED, "", "乙")]


def test_a_batch_of_one_is_case_open_or_join(estates):
    category = leaf_category()
    case, clue, created = case_open_or_join(estate=estates["haiyang_1"], category=category, campaign=None,
                                            source=ClueSource.SELF_CHECK, reference="自查 1", description="楼道堆物")
    [result] = clues_intake(clues=[ClueInput(estate=estates["haiyang_1"], category=category,
                                             source=ClueSource.SELF_CHECK, reference="自查 2", description="楼道堆物")])
    assert created and not result.created and result.case_id == case.pk
    joined = CaseClue.objects.get(pk=result.clue_id)
    assert (clue.source, clue.complainant_count) == (joined.source, joined.complainant_count) == (ClueSource.SELF_CHECK, 0)
    assert _event_shape(clue) == (CaseEventKind.CREATED, "登记案件", INTAKE_DATA_KEYS)
    assert _event_shape(joined) == (CaseEventKind.CLUE_JOINED, "并案（多人同诉）", INTAKE_DATA_KEYS)


def test_the_intake_refuses_an_estate_outside_the_actor_scope_and_writes_nothing(estates, town_user):
    with pytest.raises(NotFound):
        clues_intake(clues=[ClueInput(estate=estates["haiyang_1"], category=leaf_category(), source="inspection"),
                            ClueInput(estate=estates["wanan_1"], category=leaf_category(), source="inspection")],
                     actor=town_user)
    assert not CaseClue.objects.exists()


def test_the_public_form_staff_intake_and_the_12345_import_come_through_the_intake(estates, town_user, county_user):
    online = complaint(estates["haiyang_1"], phone="13800000001", channel=Channel.PUBLIC_FORM)
    staff = complaint(estates["haiyang_1"], phone="13800000002", channel=Channel.PETITION, user=town_user)
    importer.import_12345(xlsx([
        ["GD201", "2025-03-03 09:00", "甲", "13800000001", "电梯停运", "海阳镇", "海阳花园", "A1", ""],
    ]), user=county_user)
    imported = CaseClue.objects.get(reference="12345热线 GD201")
    assert _event_shape(online.clue) == (CaseEventKind.CREATED, "登记案件", INTAKE_DATA_KEYS)
    assert _event_shape(staff.clue) == _event_shape(imported) == (CaseEventKind.CLUE_JOINED, "并案（多人同诉）",
                                                                  INTAKE_DATA_KEYS)
    case = Case.objects.get()
    # 多人同诉: the 12345 caller had already complained online
    assert case.complainant_count == 2 and (staff.clue.complainant_count, imported.complainant_count) == (1, 0)


@pytest.mark.parametrize("module", ["inspections/services.py", "public_revenue/checks.py", "enterprises/services.py",
                                    "complaints/services.py", "complaints/importer.py", "rectification/views.py"])
def test_every_source_opens_cases_only_through_the_intake(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert re.search(r"\b(case_open_or_join|clues_intake)\(", source), module
    assert not re.search(r"\b(Case|CaseClue)\.objects\.(create|bulk_create)\(|\bCaseClue\(", source), module


WRITES = re.compile(r"CaseEvent\.objects\.(create|bulk_create|update|get_or_create|update_or_create)\b"
                    r"|\bCaseEvent\(|(bulk_insert|copy_lines|insert_rows)\(\s*CaseEvent\b")


def test_only_rectification_services_writes_case_events():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/")) or "/migrations/" in relative:
            continue
        if relative == "rectification/services.py":
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"class CaseEvent\(", "", text)  # the model's own definition
        offenders += [f"{relative}: {m.group()}" for m in WRITES.finditer(text)]
    assert offenders == []


def test_the_distinct_complainant_rule():
    seen: set[str] = set()
    assert [complainant_added(key, seen) for key in ["a", "b", "a", "", "", "b", "c"]] == [1, 1, 0, 1, 1, 0, 1]
    assert seen == {"a", "b", "c"}


def test_the_distinct_complainant_rule_as_an_aggregate(estates):
    for phone in ("13800000001", "13800000001", "13800000002", "", ""):
        complaint(estates["haiyang_1"], phone=phone)
    assert Complaint.objects.aggregate(n=complainants_distinct("phone_hash"))["n"] == 4  # 2 numbers + 2 anonymous
    assert Case.objects.get().complainant_count == 4
