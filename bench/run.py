"""`make bench`: timings against PostgreSQL at a chosen scale; writes bench/results/latest.json
and bench/results/latest.md (median and p95, query counts, the budget and whether it is met).

Run with DATABASE_URL pointing at a PostgreSQL database used only for benchmarks; the first run
builds the data set with generate_scale_data (BENCH_SCALE=county|city|province, default city).
Timings are wall-clock inside one process through Django's test client (the view, the ORM and
the database; no network), several runs each after one warm-up."""

import http.client
import io
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
SCALE = os.environ.get("BENCH_SCALE", "city")
RESULTS = ROOT / "bench" / "results"
#: BENCH_ONLY=ledger,lists,form,import,workbook runs a subset; BENCH_OUT names the result files
ONLY = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
OUT = os.environ.get("BENCH_OUT", "latest")


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure(client, url, *, budget_ms=None, budget_queries=None, budget_query_ms=None, runs=RUNS):
    """Median and p95 of the page; its query count; the slowest single query (p95 over the runs of
    each run's slowest query, as Django's cursor wrapper times it: execute + fetch)."""
    reset_queries()
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    timings, slowest, queries = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
        slowest.append(max((float(q["time"]) * 1000 for q in ctx.captured_queries), default=0.0))
    result = {
        "url": url, "runs": runs, "median_ms": round(statistics.median(timings), 1), "p95_ms": round(p95(timings), 1),
        "queries": queries, "budget_ms": budget_ms, "budget_queries": budget_queries,
        "slowest_query_ms": round(p95(slowest), 1), "budget_query_ms": budget_query_ms,
    }
    met = True
    if budget_ms is not None:
        met &= result["p95_ms"] <= budget_ms
    if budget_queries is not None:
        met &= queries <= budget_queries
    if budget_query_ms is not None:
        met &= result["slowest_query_ms"] <= budget_query_ms
    result["met"] = met
    return result


def ensure_data():
    from django.core.management import call_command

    from accounts.models import User

    call_command("migrate", verbosity=0)  # the data set outlives migrations added since it was built
    if not User.objects.filter(username="bench-county").exists():
        call_command("generate_scale_data", "--scale", SCALE)
    # what the nightly job (reporting.tasks.build_case_monthly_figures) keeps up to date
    from reporting.dashboard import monthly_figures_build

    started = time.perf_counter()
    monthly_figures_build()
    print(f"挂图作战往月汇总：{time.perf_counter() - started:.1f} s")


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
        for label, url, budget_ms, budget_queries, budget_query_ms in [
            ("投诉列表", "/complaints/", 150, 12, None),
            ("投诉 API", "/api/v1/complaints/", 150, 12, None),
            ("小区列表", "/communities/estates/", 150, 12, None),
            # the budget is per query (each dashboard query under 500 ms); the page is shown too
            ("挂图作战（全部图表）", "/reporting/dashboard/", None, None, 500),
        ]:
            result = measure(client, url, budget_ms=budget_ms, budget_queries=budget_queries,
                             budget_query_ms=budget_query_ms)
            result.update(name=f"{label} · {username}", user=username)
            results.append(result)
            print(f"{result['name']}: p95 {result['p95_ms']} ms, {result['queries']} queries")
    return results


# ---------------------------------------------------------------------------------------------
# 2. The public complaint form under load (gunicorn, 2 workers, loopback)

LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
LOAD_CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "4"))
CAPTCHA_RE = re.compile(r'data-testid="captcha-question">(\d+) (加|减) (\d+) 等于几')
DESCRIPTION = "压测：楼道堆放杂物，联系 "
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CAPTCHA_TOKEN_RE = re.compile(r'name="captcha_token" value="([^"]*)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_for_bench():
    """The REDIS_URL the gunicorn under load uses: the caller's, or a throwaway redis-server on a free
    loopback port (production sets REDIS_URL: sessions, rate limits and Celery's broker live there;
    without it every worker keeps its own counters and background jobs run inside the request)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        print("未找到 redis-server：表单压测在无 Redis 的嵌入式配置下运行（后台任务在请求内执行）")
        yield ""
        return
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed argv
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def gunicorn_server():
    """gunicorn -w 2 with the production settings on a free loopback port; static files collected
    into a temporary STATIC_ROOT (whitenoise's manifest storage needs them)."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root, redis_for_bench() as redis_url:
        env = {
            "REDIS_URL": redis_url,
            **os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_gunicorn", "BENCH_STATIC_ROOT": static_root,
            "SECRET_KEY": secrets.token_urlsafe(48)[:64], "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0", "DEBUG": "0", "LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT),
            # the load clients answer at once; a resident needs more than the production minimum (4 s)
            "COMPLAINTS_MIN_FILL_SECONDS": "0",
        }
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(  # noqa: S603 - fixed argv
            [str(gunicorn), "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        try:
            for _ in range(100):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


class FormClient:
    """One citizen at a time: GET the form (CSRF cookie, the arithmetic question and its signed
    token), answer it, POST with a fresh mobile number. `source_ip` is the loopback address the
    connection comes from (REMOTE_ADDR, what the per-IP limit counts)."""

    def __init__(self, port, source_ip):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source_ip, 0))
        self.jar = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        _cookies(response, self.jar)
        return response.status, data.decode("utf-8", "replace")

    def submit(self, *, estate_id, category_id, phone) -> tuple[int, float, float]:
        started = time.perf_counter()
        status, html = self.request("GET", f"/complaints/new/?estate={estate_id}")
        got = time.perf_counter()
        if status != 200:
            return status, got - started, 0.0
        a, op, b = CAPTCHA_RE.search(html).groups()
        answer = int(a) + int(b) if op == "加" else int(a) - int(b)
        token = CAPTCHA_TOKEN_RE.search(html)  # the signed question (absent from older pages)
        body = urlencode({
            "csrfmiddlewaretoken": CSRF_RE.search(html).group(1), "estate": estate_id, "category": category_id,
            "description": f"{DESCRIPTION}{phone}", "name": "压测", "phone": phone, "captcha": answer, "via": "qr",
            **({"captcha_token": token.group(1)} if token else {}),
        })
        status, _ = self.request("POST", f"/complaints/new/?estate={estate_id}", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1/complaints/new/?estate={estate_id}",
        })
        return status, got - started, time.perf_counter() - got

    def submit_baseline(self, *, phone, **_ignored) -> tuple[int, float, float]:
        """The baseline's two requests (bench/baseline.py): GET the two-field form, POST it."""
        started = time.perf_counter()
        status, html = self.request("GET", "/bench/baseline/")
        got = time.perf_counter()
        if status != 200:
            return status, got - started, 0.0
        body = urlencode(
            {
                "csrfmiddlewaretoken": CSRF_RE.search(html).group(1),
                "description": f"{DESCRIPTION}{phone}",
                "phone": phone,
            }
        )
        status, _ = self.request(
            "POST",
            "/bench/baseline/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "http://127.0.0.1/bench/baseline/",
            },
        )
        return status, got - started, time.perf_counter() - got

    def close(self):
        self.conn.close()


def _drive(port, *, seconds, clients, ips_per_client, per_ip, phones, baseline=False):
    """Runs `clients` threads for `seconds`; each moves to its next source address after `per_ip`
    submissions (None: one address for the whole run). Returns the tallies and latencies."""
    from campaigns.models import ProblemCategory
    from communities.models import Estate

    estate_ids = list(Estate.objects.filter(name__startswith="压测小区").order_by("id").values_list("id", flat=True)[:200])
    category_id = ProblemCategory.objects.filter(is_active=True).exclude(children__is_active=True).values_list("id", flat=True).first()
    lock = threading.Lock()
    tally = {"accepted": 0, "refused": 0, "errors": 0, "post_ms": [], "round_ms": [], "phones": [], "statuses": {}}
    deadline = time.perf_counter() + seconds

    def worker(n):
        ip_index, used, client = 0, 0, None
        while time.perf_counter() < deadline:
            if client is None or (per_ip and used >= per_ip):
                if client:
                    client.close()
                ip_index += 1
                client, used = FormClient(port, ips_per_client(n, ip_index)), 0
            phone = next(phones)
            try:
                submit = client.submit_baseline if baseline else client.submit
                status, get_s, post_s = submit(estate_id=estate_ids[(n * 7919 + used) % len(estate_ids)],
                                                      category_id=category_id, phone=phone)
            except (OSError, http.client.HTTPException, AttributeError):
                status, get_s, post_s = -1, 0.0, 0.0
                client.close()
                client = None
            used += 1
            with lock:
                tally["statuses"][status] = tally["statuses"].get(status, 0) + 1
                if status in (301, 302, 303):
                    tally["accepted"] += 1
                    tally["phones"].append(phone)
                    tally["post_ms"].append(post_s * 1000)
                    tally["round_ms"].append((get_s + post_s) * 1000)
                elif status == 429:
                    tally["refused"] += 1
                    tally["post_ms"].append(post_s * 1000)
                else:
                    tally["errors"] += 1
        if client:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally["elapsed"] = time.perf_counter() - started
    return tally


def _phone_source():
    """Unique valid mobile numbers for this run (19x: not in the generator's pool)."""
    base = int(time.time()) % 10**5 * 10**4
    counter = itertools.count()
    lock = threading.Lock()
    while True:
        with lock:
            n = next(counter)
        yield f"19{(base + n) % 10**9:09d}"


def baseline_table_ensure():
    """The baseline view's table (bench/models.py), created here: the product's migrations do not know it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_baselinerow (id bigserial PRIMARY KEY, description text NOT NULL, "
            "phone varchar(20) NOT NULL, created_at timestamptz NOT NULL)"
        )


def _stored(model, tally) -> int:
    """Accepted submissions found in the database afterwards, by their unique text (the server's
    phone_hash is keyed by its own secret: the description carries the submission's phone number)."""
    texts = [f"{DESCRIPTION}{p}" for p in tally["phones"]]
    return sum(model.objects.filter(description__in=texts[i : i + 1000]).count() for i in range(0, len(texts), 1000))


def _form_result(label, tally, lost, added, *, budget, met):
    rate = tally["accepted"] / tally["elapsed"]
    total = tally["accepted"] + tally["refused"] + tally["errors"]
    post = tally["post_ms"] or [0.0]
    return {
        "name": label,
        "runs": 1,
        "median_ms": round(statistics.median(post), 1),
        "p95_ms": round(p95(post), 1),
        "queries": None,
        "rate": round(rate, 1),
        "figure": (
            f"{rate:.1f} 受理/s，含限流共 {total / tally['elapsed']:.1f} 提交/s（{tally['accepted']} 受理，{tally['refused']} 限流 429，"
            f"{tally['errors']} 错误，丢失 {lost}；新增 {added} 条）"
        ),
        "accepted": tally["accepted"],
        "refused": tally["refused"],
        "errors": tally["errors"],
        "lost": lost,
        "statuses": {str(k): v for k, v in tally["statuses"].items()},
        "seconds": round(tally["elapsed"], 1),
        "clients": LOAD_CLIENTS,
        "round_trip_p95_ms": round(p95(tally["round_ms"] or [0.0]), 1),
        "budget": budget,
        "met": met,
    }


def bench_public_form():
    """Three runs on one gunicorn: the baseline (bench/baseline.py: a two-field Django form, one row
    inserted), the product's form from many addresses, and one address flooding. The budget is the
    ratio of the product's accepted submissions per second to the baseline's (≥ 0.5), zero errors,
    zero lost: both run on the same two cores, so the ratio is what this machine can say."""
    from bench.models import BaselineRow
    from complaints.models import Complaint

    baseline_table_ensure()
    results = []
    limit, window = settings.COMPLAINTS_RATE_LIMITS["ip"]
    # many citizens: each client's connection comes from a new loopback address (127.x.y.z)
    # before the per-IP limit is reached, as submissions from a town's many phones would
    many = lambda n, i: f"127.{10 + n}.{i // 250}.{i % 250 + 1}"  # noqa: E731
    per_ip = min(5, limit)
    with gunicorn_server() as port:
        before = BaselineRow.objects.count()
        tally = _drive(
            port,
            seconds=LOAD_SECONDS,
            clients=LOAD_CLIENTS,
            ips_per_client=many,
            per_ip=per_ip,
            phones=_phone_source(),
            baseline=True,
        )
        lost = tally["accepted"] - _stored(BaselineRow, tally)
        base = _form_result(
            "基线：最小 Django 表单视图（两字段，校验后插入一行）",
            tally,
            lost,
            BaselineRow.objects.count() - before,
            budget="参照（同一 gunicorn 配置）",
            met=None,
        )
        results.append(base)
        print(f"{base['name']}: {base['figure']}")

        before = Complaint.objects.count()
        tally = _drive(
            port, seconds=LOAD_SECONDS, clients=LOAD_CLIENTS, ips_per_client=many, per_ip=per_ip, phones=_phone_source()
        )
        lost = tally["accepted"] - _stored(Complaint, tally)
        rate = tally["accepted"] / tally["elapsed"]
        ratio = rate / base["rate"] if base["rate"] else 0.0
        result = _form_result(
            f"公众投诉表单（多来源地址，每址 ≤ {per_ip} 次）",
            tally,
            lost,
            Complaint.objects.count() - before,
            budget="≥ 0.5 × 基线受理/s，0 错误，0 丢失",
            met=ratio >= 0.5 and tally["errors"] == 0 and lost == 0 and base["errors"] == 0,
        )
        result["figure"] += f"；为基线的 {ratio:.2f} 倍"
        result["ratio_to_baseline"] = round(ratio, 3)
        results.append(result)
        print(f"{result['name']}: {result['figure']}, POST p95 {result['p95_ms']} ms, statuses {result['statuses']}")

        # one address floods: the per-IP limit (production value) refuses past `limit`
        before = Complaint.objects.count()
        tally = _drive(
            port,
            seconds=min(LOAD_SECONDS, 10),
            clients=LOAD_CLIENTS,
            ips_per_client=lambda n, i: "127.0.0.1",
            per_ip=None,
            phones=_phone_source(),
        )
        lost = tally["accepted"] - _stored(Complaint, tally)
        result = _form_result(
            "公众投诉表单（单一地址洪泛）",
            tally,
            lost,
            Complaint.objects.count() - before,
            budget=f"超过每址 {limit} 次/{window // 60} 分钟即 429，0 错误，0 丢失",
            met=tally["errors"] == 0 and lost == 0 and tally["accepted"] <= limit * 2,
        )
        result["rate_limit_ip"] = f"{limit}/{window}s"
        results.append(result)
        print(f"{result['name']}: {result['figure']}, statuses {result['statuses']}")
    return results


# ---------------------------------------------------------------------------------------------
# 3. The 12345 import of a 50,000-row file: our path, django-import-export's default, COPY

IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
IMPORT_EXPORT_ROWS = int(os.environ.get("BENCH_IMPORT_EXPORT_ROWS", "2000"))
IMPORT_HEADERS = ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "所属区域", "小区名称", "诉求类别", "办理时限"]


class _Rollback(Exception):
    pass


def import_rows(user, n):
    """n work orders over the user's estates (Zipf-skewed, as calls are), a third of them without
    a phone, categories by label, a deadline on some."""
    import random

    from campaigns.models import ProblemCategory
    from communities.models import Estate

    rnd = random.Random(12345)
    estates = list(Estate.objects.visible_to(user).select_related("community__parent").order_by("id")
                   .values_list("name", "community__parent__name"))
    labels = list(ProblemCategory.objects.filter(is_active=True).exclude(children__is_active=True).values_list("label", flat=True))
    weights = [1 / (rank ** 1.1) for rank in range(1, len(estates) + 1)]
    chosen = rnd.choices(estates, weights=weights, k=n)
    now = datetime.now(UTC).astimezone()
    run = int(time.time())
    rows = []
    for i, (estate, town) in enumerate(chosen):
        received = (now - timedelta(days=rnd.randint(1, 60), minutes=rnd.randint(0, 600))).replace(tzinfo=None, microsecond=0)
        rows.append([
            f"BENCH{run}{i:06d}", received.strftime("%Y-%m-%d %H:%M:%S"), "张先生" if i % 3 else "",
            f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}" if i % 3 else "", f"压测工单：小区物业服务问题 {i}",
            town, estate, rnd.choice(labels), 5 if i % 4 == 0 else None,
        ])
    return rows


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    sheet.append(IMPORT_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_import():
    from django.db import transaction
    from import_export import resources
    from tablib import Dataset

    from accounts.models import User
    from complaints import importer
    from complaints.models import Complaint, ComplaintEvent
    from rectification.models import Case, CaseClue, CaseEvent

    user = User.objects.get(username="bench-county")
    rows = import_rows(user, IMPORT_ROWS)
    data = xlsx_bytes(rows)
    print(f"12345 文件：{IMPORT_ROWS} 行，{len(data) / 1e6:.1f} MB")
    results, timings = [], {}

    # (a) our path, as the staff page runs it: upload → preview (parse once, keep the file and the
    # parsed rows in private storage), confirm (every row checked again from the kept rows, written).
    from complaints import import_views

    cap = importer.MAX_ROWS
    importer.MAX_ROWS = max(cap, IMPORT_ROWS)  # the page refuses files over importer.MAX_ROWS
    pending = None
    try:
        started = time.perf_counter()
        importer.rows_from_xlsx(data)  # reading the file alone: part of the preview step only
        timings["read_xlsx"] = time.perf_counter() - started
        written_tables = [Complaint, ComplaintEvent, Case, CaseClue, CaseEvent]

        def last_ids():  # rows written = rows above the last id before (the import takes ids from the sequences)
            return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                    for model in written_tables}

        with transaction.atomic():
            before = last_ids()
            started = time.perf_counter()
            result = importer.preview(data, user=user)
            pending = import_views.keep(data, result)
            timings["preview"] = time.perf_counter() - started
            started = time.perf_counter()
            kept = import_views.pending_rows(pending)
            assert isinstance(kept, list), "the confirm step would parse the file again"
            imported = importer.import_12345(kept, user=user)
            import_views.discard(pending)
            checks_started = time.perf_counter()
            with connection.cursor() as cursor:
                # the foreign keys are checked at COMMIT, which the rollback below skips: check them now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            timings["confirm"] = time.perf_counter() - started
            timings["foreign_keys"] = time.perf_counter() - checks_started
            new = imported.new
            assert Complaint.objects.filter(reference__startswith=rows[0][0][:15]).count() == new, "imported rows missing"
            written = {model._meta.db_table: model.objects.filter(pk__gt=before[model]).count() for model in written_tables}
            transaction.set_rollback(True)  # reruns start from the same database
    finally:
        importer.MAX_ROWS = cap
        import_views.discard(pending)
    ours = IMPORT_ROWS / (timings["preview"] + timings["confirm"])
    confirm_rate = IMPORT_ROWS / timings["confirm"]
    print(f"本系统导入：预览 {timings['preview']:.1f} s，确认导入 {timings['confirm']:.1f} s（新 {new}，错误 {result.errors}）")

    # (b) django-import-export's default path: a plain ModelResource, row by row (instance lookup,
    # full_clean, save() per row), on the first IMPORT_EXPORT_ROWS rows, extrapolated
    class PlainComplaintResource(resources.ModelResource):
        class Meta:
            model = Complaint
            fields = ("tracking_code", "channel", "reference", "received_at", "complainant_name", "description",
                      "region_path", "raw_region", "raw_estate", "raw_category", "category", "deadline", "status")
            import_id_fields = ("reference",)

    from campaigns.models import ProblemCategory

    category_ids = dict(ProblemCategory.objects.values_list("label", "id"))
    dataset = Dataset(headers=list(PlainComplaintResource.Meta.fields))
    for i, row in enumerate(rows[:IMPORT_EXPORT_ROWS]):
        dataset.append([f"X{i:011d}", "12345", row[0], row[1], row[2], row[4], user.region.path, row[5], row[6], row[7],
                        category_ids[row[7]], None, "received"])
    with transaction.atomic():
        started = time.perf_counter()
        ie_result = PlainComplaintResource().import_data(dataset, dry_run=False)
        timings["import_export"] = time.perf_counter() - started
        assert not ie_result.has_errors() and not ie_result.has_validation_errors(), ie_result.totals
        transaction.set_rollback(True)
    default = IMPORT_EXPORT_ROWS / timings["import_export"]
    print(f"django-import-export 默认路径：{IMPORT_EXPORT_ROWS} 行 {timings['import_export']:.1f} s")

    # (b') django-import-export configured as its documentation recommends for speed ("Bulk imports":
    # use_bulk, batch_size, skip_diff; an indexed lookup field — tracking_code is unique — loaded for
    # the whole file in one query by CachedInstanceLoader; the foreign key as a plain id), on every row, end to end: the same rows
    # saved as .xlsx and read by tablib, as the admin's import would read them
    from import_export import fields, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    class FastComplaintResource(resources.ModelResource):
        # the category's id as a plain integer: the default ForeignKeyWidget asks the database per row
        category = fields.Field(attribute="category_id", column_name="category", widget=widgets.IntegerWidget())

        class Meta:
            model = Complaint
            fields = PlainComplaintResource.Meta.fields
            import_id_fields = ("tracking_code",)
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = 1000
            skip_diff = True

    full = Dataset(headers=list(PlainComplaintResource.Meta.fields))
    for i, row in enumerate(rows):
        full.append([f"Y{i:011d}", "12345", row[0], row[1], row[2], row[4], user.region.path, row[5], row[6], row[7],
                     category_ids[row[7]], None, "received"])
    ie_xlsx = full.export("xlsx")
    with transaction.atomic():
        started = time.perf_counter()
        loaded = Dataset().load(ie_xlsx, format="xlsx")
        fast_result = FastComplaintResource().import_data(loaded, dry_run=False)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        timings["import_export_fast"] = time.perf_counter() - started
        assert not fast_result.has_errors() and not fast_result.has_validation_errors(), fast_result.totals
        assert Complaint.objects.filter(tracking_code__startswith="Y").count() >= IMPORT_ROWS, "import-export rows missing"
        transaction.set_rollback(True)
    fast = IMPORT_ROWS / timings["import_export_fast"]
    print(f"django-import-export 快速配置：{IMPORT_ROWS} 行 {timings['import_export_fast']:.1f} s")

    # (c) COPY of the same rows into a bare unlogged table: the physical limit of writing them
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_import_copy (reference text, received_at timestamptz, name text, phone text, "
            "description text, region text, estate text, category text, deadline int)"
        )
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
        started = time.perf_counter()
        buffer.seek(0)
        cursor.cursor.copy_expert("COPY bench_import_copy FROM STDIN", buffer)
        timings["copy"] = time.perf_counter() - started
        transaction.set_rollback(True)
    copy_rate = IMPORT_ROWS / timings["copy"]
    print(f"COPY：{timings['copy']:.2f} s")

    base = {"runs": 1, "median_ms": None, "p95_ms": None, "queries": None}
    results.append({
        **base, "name": f"12345 导入（本系统：预览 + 确认，{IMPORT_ROWS} 行）", "rate": round(ours),
        "figure": (f"{ours:,.0f} 行/s（预览 {timings['preview']:.1f} s + 确认 {timings['confirm']:.1f} s；仅确认 "
                   f"{confirm_rate:,.0f} 行/s；其中读 xlsx（仅预览时）{timings['read_xlsx']:.1f} s，提交时的外键检查 "
                   f"{timings['foreign_keys']:.1f} s；写入 {sum(written.values()):,} 行，五张表合计 "
                   f"{sum(written.values()) / (timings['preview'] + timings['confirm']):,.0f} 行/s）；为 import-export 默认的 {ours / default:.1f} 倍、快速配置的 {ours / fast:.2f} 倍，为 COPY 的 "
                   f"{ours / copy_rate:.1%}"),
        "budget": "≥ 5,000 行/s，≥ 10× import-export 快速配置", "met": ours >= 5000 and ours >= 10 * fast,
        "timings_s": {k: round(v, 2) for k, v in timings.items()}, "ratio_to_import_export": round(ours / default, 1),
        "rows_written": written,
        "ratio_to_import_export_fast": round(ours / fast, 2),
        "ratio_to_copy": round(ours / copy_rate, 4), "file_limit_rows": cap,
    })
    results.append({
        **base, "name": f"12345 导入（django-import-export 默认逐行路径，{IMPORT_EXPORT_ROWS} 行外推）",
        "rate": round(default), "figure": f"{default:,.0f} 行/s（{IMPORT_ROWS} 行外推 {IMPORT_ROWS / default:.0f} s）",
        "budget": "参照", "met": None,
    })
    results.append({
        **base, "name": f"12345 导入（django-import-export 快速配置：use_bulk、batch_size=1000、skip_diff、tracking_code 缓存查找，{IMPORT_ROWS} 行，含读 xlsx）",
        "rate": round(fast), "figure": f"{fast:,.0f} 行/s（{timings['import_export_fast']:.1f} s；只写投诉，不立案、不建线索与事件）",
        "budget": "参照", "met": None,
    })
    results.append({
        **base, "name": f"12345 导入（COPY 入裸 UNLOGGED 表，{IMPORT_ROWS} 行，物理上限）", "rate": round(copy_rate),
        "figure": f"{copy_rate:,.0f} 行/s（{timings['copy']:.2f} s）", "budget": "参照", "met": None,
    })
    return results


# ---------------------------------------------------------------------------------------------
# 4. The monthly workbook: seconds and peak memory in a fresh process; the 统计表's bare SQL


def _peak_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _workbook_child(region_code: str, period_key: str) -> None:
    """Run in a subprocess: builds the workbook and prints seconds and peak RSS as JSON. Peak is
    VmHWM of this process (ru_maxrss would carry the parent's peak across fork + exec)."""

    from communities.models import Region
    from reporting import periods
    from reporting.workbook import build_workbook

    county = Region.objects.get(code=region_code)
    period = periods.parse_month(period_key)
    baseline = _peak_rss_kb()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        started = time.perf_counter()
        stats = build_workbook(county=county, period=period, target=target.name)
        seconds = time.perf_counter() - started
        size = os.path.getsize(target.name)
    peak = _peak_rss_kb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "baseline_mb": baseline / 1024, "size": size,
                      "rows": stats.get("rows"), "towns": stats.get("towns")}))


def bench_workbook():
    from django.db.models import Count

    from accounts.models import User
    from communities.models import Region, RegionLevel
    from rectification.models import Case
    from reporting import figures, periods

    today = datetime.now(UTC).date()
    year, month_ = periods.add_months(today.year, today.month, -1)
    period = periods.month(year, month_)
    busiest = (Case.objects.values("region_path").annotate(n=Count("id")).order_by("-n").first() or {}).get("region_path", "")
    # bench-county's county, and the county with the busiest estate's cases if another
    counties = [User.objects.get(username="bench-county").region]
    counties += [c for c in Region.objects.filter(level=RegionLevel.COUNTY) if busiest.startswith(c.path) and c not in counties]
    results = []
    for county in counties:
        runs = []
        for _ in range(3):
            out = subprocess.run(  # noqa: S603 - our own script
                [sys.executable, __file__, "--workbook-child", county.code, period.key],
                cwd=ROOT, env=os.environ.copy(), check=True, capture_output=True, text=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        seconds = [r["seconds"] for r in runs]
        peak = max(r["peak_mb"] for r in runs)
        # the bare SQL behind 统计表: the figure providers' queries, replayed without Python around them
        reset_queries()  # the debug query log holds at most 9,000 entries: a full one captures nothing
        with CaptureQueriesContext(connection) as ctx:
            figures.collect(county, period.start, period.end, level=RegionLevel.TOWN)
        sql_times = []
        for _ in range(3):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for query in ctx.captured_queries:
                    cursor.execute(query["sql"])
                    cursor.fetchall()
            sql_times.append(time.perf_counter() - started)
        sql = statistics.median(sql_times)
        cases = Case.objects.filter(region_path__startswith=county.path).count()
        budget_s = 60 if SCALE == "province" else 5
        median_s = statistics.median(seconds)
        results.append({
            "name": f"月度工作簿 · {county.name}（{period.key}，{cases:,} 件案件）", "runs": len(runs),
            "median_ms": round(median_s * 1000), "p95_ms": round(max(seconds) * 1000), "queries": None,
            "figure": (f"{median_s:.2f} s，峰值内存 {peak:.0f} MB（进程基线 {runs[0]['baseline_mb']:.0f} MB），台账 "
                       f"{runs[0]['rows']} 行；统计表裸 SQL {sql * 1000:.0f} ms（{len(ctx.captured_queries)} 条），"
                       f"比值 {median_s / sql:.0f}×"),
            "budget": f"< {budget_s} s，峰值 < 300 MB", "met": max(seconds) < budget_s and peak < 300,
            "peak_mb": round(peak), "bare_sql_ms": round(sql * 1000, 1), "ratio_to_sql": round(median_s / sql, 1),
        })
        print(f"{results[-1]['name']}: {results[-1]['figure']}")
    return results


def machine():
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "database": f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}",
        "load_average": os.getloadavg(),
    }


def _cell(value):
    return "" if value is None else value


def write(results):
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"scale": SCALE, "at": datetime.now(UTC).isoformat(), "machine": machine(), "results": results}
    (RESULTS / f"{OUT}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    lines = [
        f"# Benchmarks — scale `{SCALE}`, {payload['at'][:19]}Z",
        "",
        f"Machine: {payload['machine']}",
        "",
        "| benchmark | median ms | p95 ms | queries | slowest query ms | figure | budget | met |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        budget = r.get("budget") or "，".join(part for part in (
            f"p95 ≤ {r['budget_ms']} ms" if r.get("budget_ms") else "",
            f"≤ {r['budget_queries']} queries" if r.get("budget_queries") else "",
            f"每条查询 ≤ {r['budget_query_ms']} ms" if r.get("budget_query_ms") else "",
        ) if part)
        met = {True: "yes", False: "**NO**", None: "—"}[r["met"]]
        lines.append(f"| {r['name']} | {_cell(r['median_ms'])} | {_cell(r['p95_ms'])} | {_cell(r['queries'])} | "
                     f"{_cell(r.get('slowest_query_ms'))} | {r.get('figure', '')} | {budget} | {met} |")
    (RESULTS / f"{OUT}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    if connection.vendor != "postgresql":
        sys.exit("make bench 需要 PostgreSQL：请设置 DATABASE_URL=postgres://…（专用于压测的空数据库）")
    settings.ALLOWED_HOSTS = ["*"]
    ensure_data()
    benchmarks = {"ledger": bench_ledger, "lists": bench_other_lists, "form": bench_public_form,
                  "import": bench_import, "workbook": bench_workbook}
    results = []
    for name, bench in benchmarks.items():
        if ONLY and name not in ONLY:
            continue
        try:
            results += bench()
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            results.append({"name": f"{name}（运行失败）", "runs": 0, "median_ms": None, "p95_ms": None, "queries": None,
                            "figure": f"{type(exc).__name__}: {str(exc)[:200]}", "budget": "—", "met": False})
            print(f"{name} failed: {exc!r}")
        write(results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workbook-child"]:
        _workbook_child(*sys.argv[2:4])
    else:
        main()
