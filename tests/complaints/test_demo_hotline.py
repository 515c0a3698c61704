"""The demo's 12345 file of last month imports from the page the way a new user would see it:
title and footer rows skipped, one broken date, one platform category to map, one unknown estate."""

import io
import random

import pytest
from django.utils import timezone

from complaints import demo_hotline, importer

pytestmark = pytest.mark.django_db


def test_the_demo_file_shows_the_whole_path(estates, county_user):
    buffer = io.BytesIO()
    demo_hotline.build(random.Random(1), [estates["haiyang_1"], estates["haiyang_2"], estates["wanan_1"]],
                       timezone.localdate()).save(buffer)
    result = importer.preview(buffer.getvalue(), user=county_user)
    assert result.data_rows == 37 and result.skipped == 2
    assert result.errors == 1 and any("不是有效日期" in r.reasons[0] for r in result.rejected if r.status == "error")
    assert [e["raw"] for e in result.unmapped_categories()] == ["文明养犬"]
    assert [r.values["estate"] for r in result.unmatched] == ["海阳嘉园"]
    assert result.new == 37 - 1 - result.category_unmapped
    imported = importer.import_12345(buffer.getvalue(), user=county_user, valid_only=True)
    assert imported.imported == result.new
