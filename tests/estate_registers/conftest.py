from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

NOW = datetime(2025, 10, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen_today(request):
    """Limits count days: every test runs on 2025-10-10 and moves on with `time_machine`."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
