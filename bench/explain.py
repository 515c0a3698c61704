"""EXPLAIN (ANALYZE, BUFFERS) of the slowest query behind each ledger/API view, as bench-admin and
bench-county: `DATABASE_URL=… .venv/bin/python bench/explain.py > bench/results/explain.txt`.
The SQL is captured through Django's test client, so it is exactly what the views run."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main():
    from accounts.models import User
    from communities.models import Region, RegionLevel

    settings.ALLOWED_HOSTS = ["*"]
    for username in ("bench-admin", "bench-county"):
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        town = Region.objects.filter(level=RegionLevel.TOWN, path__startswith=user.region.path).first()
        count = client.get("/api/v1/cases/").json()["count"]
        for label, url in [
            ("台账首页", "/rectification/"),
            ("台账筛选（镇+状态）", f"/rectification/?town={town.pk}&state=rectifying"),
            ("台账深页", "/rectification/?page=1000"),
            ("API 深页", f"/api/v1/cases/?page={min(1000, (count + 19) // 20)}"),
            ("API 超期", "/api/v1/cases/?overdue=true"),
            ("投诉列表", "/complaints/"),
        ]:
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:2]
            for query in slowest:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = [row[0] for row in cursor.fetchall()]
                print(f"## {label} · {username} · {url} · {float(query['time']) * 1000:.0f} ms")
                print(query["sql"][query["sql"].find(" FROM "):][:600])
                print("\n".join(plan))
                print()


if __name__ == "__main__":
    main()
