"""One family of domain errors, each class defined once, in core.errors; apps import it."""

import re
from pathlib import Path

import pytest

from core import errors

ROOT = Path(__file__).resolve().parents[2]
FAMILY = ["DomainError", "PermissionDenied", "NotFound", "InvalidState", "Conflict", "Busy",
          "MissingField", "InvalidInput", "ImportRefused"]


def source_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", "node_modules") or parts[0].startswith(".") or "migrations" in parts:
            continue
        yield path


@pytest.mark.parametrize("name", FAMILY)
def test_each_error_class_is_defined_once_in_core_errors(name):
    pattern = re.compile(rf"^class {name}\(", re.M)
    defined_in = [str(p.relative_to(ROOT)) for p in source_files() if pattern.search(p.read_text(encoding="utf-8"))]
    assert defined_in == ["core/errors.py"]


@pytest.mark.parametrize("name", ["MissingField", "InvalidInput", "ImportRefused"])
def test_the_input_errors_answer_400_in_chinese(name):
    error = getattr(errors, name)()
    assert isinstance(error, errors.DomainError) and error.status_code == 400
    assert re.search(r"[\u4e00-\u9fff]", error.message)


def test_an_invalid_value_is_not_a_missing_field():
    assert not issubclass(errors.InvalidInput, errors.MissingField)
    assert not issubclass(errors.MissingField, errors.InvalidInput)


def test_import_refused_carries_the_rows_reasons():
    refused = errors.ImportRefused("导入文件有 2 处错误，未导入任何数据。", errors=["第 2 行：a", "第 3 行：b"])
    assert refused.errors == ["第 2 行：a", "第 3 行：b"] and errors.ImportRefused().errors == []
