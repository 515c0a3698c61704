from datetime import timedelta

import pytest
from django.utils import timezone

from tests.rectification.factories import CaseFactory, leaf_category, rectifying_case


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Built workbooks go to a temporary directory, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ledger(estates):
    """A few cases in 海阳镇 and 万安镇 this month, one of them overdue, one closed."""
    now = timezone.now()
    cases = {
        "haiyang_open": rectifying_case(estates["haiyang_1"], complainant_count=5),
        "haiyang_overdue": rectifying_case(estates["haiyang_2"], deadline=timezone.localdate() - timedelta(days=3),
                                           category=leaf_category("B1")),
        "haiyang_closed": CaseFactory(estate=estates["haiyang_1"], state="closed", closed_at=now,
                                      category=leaf_category("C1")),
        "wanan_new": CaseFactory(estate=estates["wanan_1"], description="=SUM(A1:A9) 物业费去向不明"),
        "tunxi": CaseFactory(estate=estates["tunxi_1"]),
    }
    return cases
