"""`make bench`: timings against PostgreSQL at a chosen scale; writes bench/results/latest.json
and bench/results/latest.md (median and p95, query counts, the budget and whether it is met).

Run with DATABASE_URL pointing at a PostgreSQL database used only for benchmarks; the first run
builds the data set with generate_scale_data (BENCH_SCALE=county|city|province, default city).
Timings are wall-clock inside one process through Django's test client (the view, the ORM and
the database; no network), several runs each after one warm-up."""

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
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

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
SCALE = os.environ.get("BENCH_SCALE", "city")
RESULTS = ROOT / "bench" / "results"


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure(client, url, *, budget_ms=None, budget_queries=None, runs=RUNS):
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    result = {
        "url": url, "runs": runs, "median_ms": round(statistics.median(timings), 1), "p95_ms": round(p95(timings), 1),
        "queries": queries, "budget_ms": budget_ms, "budget_queries": budget_queries,
    }
    met = True
    if budget_ms is not None:
        met &= result["p95_ms"] <= budget_ms
    if budget_queries is not None:
        met &= queries <= budget_queries
    result["met"] = met
    return result


def ensure_data():
    from django.core.management import call_command

    from accounts.models import User

    if not User.objects.filter(username="bench-county").exists():
        call_command("migrate", verbosity=0)
        call_command("generate_scale_data", "--scale", SCALE)


def bench_ledger():
    from accounts.models import User
    from communities.models import Region, RegionLevel

    results = []
    for username in ("bench-county", "bench-admin", "bench-town"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        town = Region.objects.filter(level=RegionLevel.TOWN, path__startswith=User.objects.get(username=username).region.path).first()
        for label, url, budget in [
            ("台账首页", "/rectification/", 150),
            ("台账首页（筛选：镇+状态）", f"/rectification/?town={town.pk}&state=rectifying", 150),
            ("台账深页（第 1000 页或末页）", "/rectification/?page=1000", 300),
            ("API 首页", "/api/v1/cases/", 150),
            ("API 深页", "/api/v1/cases/?page=1000", 300),
            ("API 筛选（超期）", "/api/v1/cases/?overdue=true", 150),
        ]:
            if "/api/" in url and "page=1000" in url:
                # the API answers 404 past the last page: ask for the last page instead
                count = client.get("/api/v1/cases/").json()["count"]
                last = max(1, (count + 19) // 20)
                url = f"/api/v1/cases/?page={min(1000, last)}"
            result = measure(client, url, budget_ms=budget, budget_queries=12)
            result.update(name=f"{label} · {username}", user=username)
            results.append(result)
            print(f"{result['name']}: p95 {result['p95_ms']} ms, {result['queries']} queries")
    return results


def bench_other_lists():
    """The other lists staff open all day, and the dashboard (budget: 500 ms)."""
    from accounts.models import User

    results = []
    for username in ("bench-county", "bench-admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url, budget_ms, budget_queries in [
            ("投诉列表", "/complaints/", 150, None),
            ("投诉 API", "/api/v1/complaints/", 150, 12),
            ("小区列表", "/communities/estates/", 150, None),
            ("挂图作战（全部图表）", "/reporting/dashboard/", 500, None),
        ]:
            result = measure(client, url, budget_ms=budget_ms, budget_queries=budget_queries)
            result.update(name=f"{label} · {username}", user=username)
            results.append(result)
            print(f"{result['name']}: p95 {result['p95_ms']} ms, {result['queries']} queries")
    return results


def machine():
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "database": f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}",
        "load_average": os.getloadavg(),
    }


def write(results):
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"scale": SCALE, "at": datetime.now(UTC).isoformat(), "machine": machine(), "results": results}
    (RESULTS / "latest.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    lines = [
        f"# Benchmarks — scale `{SCALE}`, {payload['at'][:19]}Z",
        "",
        f"Machine: {payload['machine']}",
        "",
        "| benchmark | median ms | p95 ms | queries | budget | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        budget = f"p95 ≤ {r['budget_ms']} ms" + (f", ≤ {r['budget_queries']} queries" if r["budget_queries"] else "")
        lines.append(f"| {r['name']} | {r['median_ms']} | {r['p95_ms']} | {r['queries']} | {budget} | "
                     f"{'yes' if r['met'] else '**NO**'} |")
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    if connection.vendor != "postgresql":
        sys.exit("make bench 需要 PostgreSQL：请设置 DATABASE_URL=postgres://…（专用于压测的空数据库）")
    settings.ALLOWED_HOSTS = ["*"]
    ensure_data()
    write(bench_ledger() + bench_other_lists())


if __name__ == "__main__":
    main()
