"""Does PostgreSQL's JIT cost the bureau's pages time? `DATABASE_URL=… .venv/bin/python bench/jit_survey.py`
(province data set: writes bench/results/jit-province.md; JIT_SURVEY_OUT names another file).

For bench-admin and bench-county, each page a bureau uses is fetched through Django's test client
(as bench/explain.py does) with every query captured. Each captured SELECT that took > 50 ms, or
whose plan costs more than `jit_above_cost` (so PostgreSQL would JIT-compile it, whatever it took),
is run again as `EXPLAIN (ANALYZE, FORMAT JSON)` with `SET jit = on` (the server's default costs)
and with `SET jit = off`: execution time each way and JIT's own time (the plan's JIT → Timing →
Total: generating, inlining, optimising and emitting the code); a server-side cursor's query
(QuerySet.iterator()) is explained as the DECLARE, since a cursor's plan differs. Then the whole page is timed with
the session's `jit` on and off, alternating, JIT_SURVEY_RUNS times each (default 3), median.

The monthly workbook is built by a POST that stores a new report version (a write): its row calls
`reporting.workbook.build_workbook` in-process into a temporary file instead, the same queries
without the stored row. GETs write what they always write (sessions). The counts that
`core.counts` caches for 10 minutes are computed on a page's first request only (the capture
pass); the timed runs read them from the cache, with JIT on and off alike."""

import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# every query on the one connection whose `jit` the survey sets (no read replica)
os.environ.pop("DATABASE_REPLICA_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("JIT_SURVEY_RUNS", "5"))
#: JIT_SURVEY_USERS=bench-county and JIT_SURVEY_ONLY=台账,投诉 (page labels containing one) run a subset
USERS = [u for u in os.environ.get("JIT_SURVEY_USERS", "bench-admin,bench-county").split(",") if u]
ONLY = [w for w in os.environ.get("JIT_SURVEY_ONLY", "").split(",") if w]
#: EXPLAIN ANALYZE runs of each query per setting (alternating on, off, on, off …); the fastest is kept
EXPLAIN_RUNS = int(os.environ.get("JIT_SURVEY_EXPLAIN_RUNS", "2"))
SLOW_MS = 50.0
OUT = ROOT / "bench" / "results" / os.environ.get("JIT_SURVEY_OUT", "jit-province.md")
#: ceiling on any one statement (page or EXPLAIN ANALYZE), so a runaway plan cannot stall the survey
STATEMENT_TIMEOUT = os.environ.get("JIT_SURVEY_STATEMENT_TIMEOUT", "300s")


def set_jit(value: str) -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {value}")  # noqa: S608 - value is "on" or "off"


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def fetch(client: Client, url: str) -> int:
    """GET the page and read all of it (a streamed response runs its queries while it is read)."""
    response = client.get(url)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    else:
        _ = response.content
    return response.status_code


def workbook(county, period):
    """What the 生成汇总报表 POST runs (reporting.builds), without storing the report."""
    from reporting.workbook import build_workbook

    def run() -> int:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
            build_workbook(county=county, period=period, target=target.name)
        return 200

    return run


def call(fn) -> tuple[int | str, float]:
    started = time.perf_counter()
    try:
        status = fn()
    except Exception as exc:  # a page that fails is recorded, and the survey goes on
        status = f"error: {type(exc).__name__}: {str(exc)[:80]}"
        if not connection.get_autocommit() or connection.needs_rollback:
            connection.rollback()
    return status, (time.perf_counter() - started) * 1000


#: a server-side cursor's statement as the debug log holds it (QuerySet.iterator(): the ledger export, the workbook)
DECLARE = re.compile(r'DECLARE\s+"?\w+"?\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+', re.DOTALL | re.IGNORECASE)


def explain(sql: str, *, analyze: bool) -> dict:
    """EXPLAIN of a captured statement; a cursor's is explained as a cursor, whose plan PostgreSQL
    chooses for the first rows (cursor_tuple_fraction) and may cost, and so JIT-compile, differently."""
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {sql}")
        value = cursor.fetchone()[0]
    if isinstance(value, str):
        value = json.loads(value)
    return value[0]


def workers(node: dict) -> int:
    """Parallel workers launched anywhere in the plan (each compiles its own copy of the code)."""
    return max([node.get("Workers Launched", 0)] + [workers(child) for child in node.get("Plans", [])])


def jit_of(plan: dict) -> dict:
    """The JIT summary: PostgreSQL sums it over the leader and its parallel workers."""
    jit = plan.get("JIT") or {}
    timing = jit.get("Timing") or {}
    options = jit.get("Options") or {}
    return {
        "functions": jit.get("Functions", 0),
        "total_ms": timing.get("Total", 0.0),
        "inlining": bool(options.get("Inlining")),
        "optimization": bool(options.get("Optimization")),
    }


def after_from(sql: str) -> str:
    at = sql.find(" FROM ")
    text = " ".join((sql[at + 1:] if at >= 0 else sql)[:200].split())
    return ("(cursor) " if sql.startswith("DECLARE") else "") + text


def pages_for(user, *, busy_county, last_month) -> list[tuple[str, object]]:
    from communities.filters import is_wide
    from communities.models import Region, RegionLevel

    wide = is_wide(user)
    county = busy_county if wide else user.region
    town = Region.objects.filter(level=RegionLevel.TOWN, path__startswith=county.path).order_by("code").first()
    # a province user chooses the county (?region= on the county pages, ?county= on the lists)
    region = f"region={county.code}&" if wide else ""
    in_county = f"county={county.pk}&" if wide else ""
    url_pages = [
        ("首页", "/accounts/home/"),
        ("挂图作战", "/reporting/dashboard/"),
        ("统计表（本月）", f"/reporting/statistics/?{region}"),
        ("统计表（上月）", f"/reporting/statistics/?{region}period={last_month.key}"),
        ("月报审核（上月）", f"/reporting/review/?{region}period={last_month.key}"),
        ("企业月报审核", f"/reporting/enterprise-review/?{region}"),
        ("汇总报表列表", "/reporting/reports/"),
        ("台账", "/rectification/"),
        ("台账（镇+整改中）", f"/rectification/?{in_county}town={town.pk}&state=rectifying"),
        ("台账（超期，按超期天数）", "/rectification/?overdue=true&sort=-days_overdue"),
        ("台账第 1000 页", "/rectification/?page=1000"),
        ("台账导出（一县）", f"/rectification/?{in_county}export=xlsx"),
        ("线索", "/rectification/clues/"),
        ("典型案例", "/rectification/typical/"),
        ("投诉列表", "/complaints/"),
        ("投诉统计", "/complaints/statistics/"),
        ("API 案件", "/api/v1/cases/"),
        ("API 案件（超期）", "/api/v1/cases/?overdue=true"),
        ("API 投诉", "/api/v1/complaints/"),
        ("小区", "/communities/estates/"),
        ("检查走访", "/inspections/visits/"),
        ("物业企业", "/enterprises/"),
    ]
    pages = [(label, url, None) for label, url in url_pages]
    pages.append((f"月度工作簿（{county.name}，{last_month.key}）", "build_workbook()", workbook(county, last_month)))
    return pages


def survey_page(client, label, url, fn, jit_above_cost) -> dict:
    fn = fn or (lambda: fetch(client, url))
    set_jit("on")
    reset_queries()  # the debug query log holds at most 9,000 entries: a full one captures nothing
    with CaptureQueriesContext(connection) as ctx:
        status, first_ms = call(fn)
    row = {"page": label, "url": url, "status": status, "first_ms": first_ms, "queries": len(ctx.captured_queries),
           "explained": [], "on_ms": None, "off_ms": None}
    if status != 200:
        return row
    seen = set()
    for query in ctx.captured_queries:
        sql = query["sql"]
        declared = DECLARE.match(sql)
        if declared:
            sql = "DECLARE jit_survey NO SCROLL CURSOR FOR " + sql[declared.end():]
        elif not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        if sql in seen:
            continue
        seen.add(sql)
        took_ms = float(query["time"]) * 1000
        set_jit("on")
        cost = explain(sql, analyze=False)["Plan"]["Total Cost"]
        if took_ms <= SLOW_MS and cost <= jit_above_cost:
            continue
        plans = {"on": [], "off": []}
        for _ in range(EXPLAIN_RUNS):
            for setting in ("on", "off"):
                set_jit(setting)
                plans[setting].append(explain(sql, analyze=True))
        on = min(plans["on"], key=lambda plan: plan["Execution Time"])
        off = min(plans["off"], key=lambda plan: plan["Execution Time"])
        row["explained"].append({
            "took_ms": took_ms, "cost": cost, "sql": after_from(sql), "workers": workers(on["Plan"]),
            "on_ms": on["Execution Time"], "off_ms": off["Execution Time"], "jit": jit_of(on),
            "jit_runs_ms": [plan["Execution Time"] for plan in plans["on"]],
            "off_runs_ms": [plan["Execution Time"] for plan in plans["off"]],
        })
    # the whole page, the session's jit on and off in turn (the order swapped each round)
    timings = {"on": [], "off": []}
    for run in range(RUNS):
        for setting in (("on", "off") if run % 2 == 0 else ("off", "on")):
            set_jit(setting)
            reset_queries()
            status, ms = call(fn)
            if status != 200 or show("jit") != setting:
                row["status"] = f"{status} (jit {show('jit')} after a run meant to be {setting})"
                return row
            timings[setting].append(ms)
    row["on_ms"] = statistics.median(timings["on"])
    row["off_ms"] = statistics.median(timings["off"])
    return row


def fmt(value, digits=0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def render(meta: dict, rows: list[dict]) -> str:
    lines = [
        "# PostgreSQL JIT on vs off: the bureau's pages on the province data set",
        "",
        f"Run {meta['started']} → {meta['ended']} (UTC) with `bench/jit_survey.py`; database {meta['database']} "
        f"({meta['cases']:,} cases); {meta['server']}.",
        f"Server settings: `jit={meta['jit']}`, `jit_above_cost={meta['jit_above_cost']}`, "
        f"`jit_inline_above_cost={meta['jit_inline_above_cost']}`, `jit_optimize_above_cost={meta['jit_optimize_above_cost']}`, "
        f"`max_parallel_workers_per_gather={meta['max_parallel_workers_per_gather']}`.",
        f"Load average (1, 5, 15 min) at start {meta['load_start']}, at end {meta['load_end']}; {os.cpu_count()} CPUs, shared.",
        "",
        f"Pages: Django's test client in-process (view + ORM + database), median of {RUNS} runs with the session's "
        f"`jit` on and of {RUNS} with it off, alternating, after a first (capture) request with jit on. "
        "The workbook row runs `reporting.workbook.build_workbook` into a temporary file (the POST that "
        "builds it stores a report version). \"JIT-compiled queries\": the page's SELECTs that took "
        f"> {SLOW_MS:.0f} ms in the capture request or whose plan costs more than `jit_above_cost`; each is run as "
        f"`EXPLAIN (ANALYZE, FORMAT JSON)` with `SET jit = on` and with `SET jit = off`, alternating, {EXPLAIN_RUNS} "
        "times each; the table keeps each setting's fastest run (and its plan's JIT figures). \"JIT ms\" is the plan's "
        "JIT → Timing → Total (generation + inlining + optimisation + emission), which PostgreSQL sums over the "
        "leader and its parallel workers: each process compiles its own copy, so with workers the page waits "
        "for less than the sum. \"Execution Time\" includes the JIT time. \"(cursor)\": a server-side cursor's "
        "query (`QuerySet.iterator()`: the ledger export, the workbook's 台账), explained as `DECLARE … CURSOR FOR`, "
        "the plan PostgreSQL picks for a cursor (first rows first), not the plain SELECT's.",
        "",
        "## Pages",
        "",
        "| user | page | status | queries | page ms, jit on | page ms, jit off | on − off ms | explained queries | "
        "of them JIT-compiled | JIT compile ms (sum) | exec ms on (sum) | exec ms off (sum) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        explained = row["explained"]
        compiled = [q for q in explained if q["jit"]["functions"]]
        diff = None if row["on_ms"] is None else row["on_ms"] - row["off_ms"]
        lines.append(
            f"| {row['user']} | {row['page']} `{cell(row['url'])}` | {cell(str(row['status']))} | {row['queries']} | "
            f"{fmt(row['on_ms'])} | {fmt(row['off_ms'])} | {fmt(diff)} | {len(explained)} | {len(compiled)} | "
            f"{fmt(sum(q['jit']['total_ms'] for q in explained), 1)} | {fmt(sum(q['on_ms'] for q in explained), 1)} | "
            f"{fmt(sum(q['off_ms'] for q in explained), 1)} |"
        )
    lines += [
        "",
        "## Queries (> 50 ms in the capture request, or planned above `jit_above_cost`)",
        "",
        "| user | page | captured ms | plan cost | workers | exec ms, jit on | JIT ms (functions; inline/optimise) | "
        "exec ms, jit off | on − off ms | runs on / off ms | query after FROM (200 chars) |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for row in rows:
        for q in row["explained"]:
            jit = q["jit"]
            flags = "/".join(name for name, on in (("inline", jit["inlining"]), ("optimise", jit["optimization"])) if on)
            runs = " ".join(f"{ms:,.0f}" for ms in q["jit_runs_ms"]) + " / " + " ".join(f"{ms:,.0f}" for ms in q["off_runs_ms"])
            jit_text = f"{jit['total_ms']:,.1f} ({jit['functions']}{'; ' + flags if flags else ''})" if jit["functions"] else "—"
            lines.append(
                f"| {row['user']} | {row['page']} | {fmt(q['took_ms'])} | {fmt(q['cost'])} | {q['workers']} | "
                f"{fmt(q['on_ms'], 1)} | {jit_text} | {fmt(q['off_ms'], 1)} | {fmt(q['on_ms'] - q['off_ms'], 1)} | "
                f"{runs} | `{cell(q['sql'])}` |"
            )
    return "\n".join(lines) + "\n"


def main():
    from django.db.models import Count

    from accounts.models import User
    from communities.models import Region, RegionLevel
    from rectification.models import Case
    from reporting import periods

    assert connection.vendor == "postgresql", "JIT is PostgreSQL's: set DATABASE_URL"
    settings.ALLOWED_HOSTS = ["*"]
    started = datetime.now(UTC)
    load_start = tuple(round(x, 2) for x in os.getloadavg())
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")  # noqa: S608 - our own setting
    meta = {"started": started.strftime("%Y-%m-%d %H:%M"), "load_start": load_start, "database": connection.settings_dict["NAME"],
            "server": f"PostgreSQL {show('server_version')}"}
    for name in ("jit", "jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost", "max_parallel_workers_per_gather"):
        meta[name] = show(name)
    jit_above_cost = float(meta["jit_above_cost"])
    meta["cases"] = Case.objects.count()

    today = started.date()
    last_month = periods.month(*periods.add_months(today.year, today.month, -1))
    # the county holding the busiest estate's cases (as bench/run.py picks the workbook's worst case)
    busiest = (Case.objects.values("region_path").annotate(n=Count("id")).order_by("-n").first() or {}).get("region_path", "")
    busy_county = next(c for c in Region.objects.filter(level=RegionLevel.COUNTY) if busiest.startswith(c.path))
    print(f"load average {load_start}; busiest county {busy_county.name}; last month {last_month.key}", flush=True)

    rows = []
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url, fn in pages_for(user, busy_county=busy_county, last_month=last_month):
            if ONLY and not any(word in label for word in ONLY):
                continue
            row = {"user": username, **survey_page(client, label, url, fn, jit_above_cost)}
            rows.append(row)
            compile_ms = sum(q["jit"]["total_ms"] for q in row["explained"])
            print(f"{username} · {label}: status {row['status']}, {row['queries']} queries, page on {fmt(row['on_ms'])} / "
                  f"off {fmt(row['off_ms'])} ms, {len(row['explained'])} explained, JIT {compile_ms:,.0f} ms", flush=True)
    set_jit("on")

    meta["ended"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    meta["load_end"] = tuple(round(x, 2) for x in os.getloadavg())
    text = render(meta, rows)
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
