"""Synthetic data at county, city and province size, for benchmarks (`generate_scale_data`).

Everything is written with bulk_create in batches (never one save() per row), inside one
transaction per step. Skew follows real data: a few estates draw most clues (Zipf weights), and
the cases of a few enterprises pile up. Deterministic for a given seed.

Steps are functions `step(ctx)` over a shared context dict, listed in STEPS; an app that adds
volume (complaints, inspection visits…) adds its own step to the list."""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from campaigns.models import ProblemCategory
from communities.models import Estate, Region, RegionLevel
from complaints.models import Channel, Complaint, ComplaintStatus, Satisfaction
from complaints.privacy import phone_encrypt, phone_hash
from core.bulk import bulk_insert, copy_available, refresh_statistics
from enterprises.models import Enterprise
from enterprises.validators import credit_code_check_char
from rectification.models import (
    Case,
    CaseClue,
    CaseEvent,
    CaseEventKind,
    CaseState,
    ClueSource,
    SupervisionAction,
    SupervisionKind,
)
from rectification.services import case_events_record

BATCH = 5000


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int
    counties_per_city: int
    towns_per_county: int
    communities_per_town: int
    estates: int
    enterprises: int
    complaints: int
    cases: int
    months: int = 24


SCALES = {
    "county": Scale("county", cities=1, counties_per_city=1, towns_per_county=10, communities_per_town=6,
                    estates=300, enterprises=60, complaints=20_000, cases=6_000),
    "city": Scale("city", cities=1, counties_per_city=8, towns_per_county=10, communities_per_town=8,
                  estates=2_000, enterprises=400, complaints=200_000, cases=60_000),
    "province": Scale("province", cities=11, counties_per_city=10, towns_per_county=10, communities_per_town=8,
                      estates=20_000, enterprises=4_000, complaints=2_000_000, cases=500_000),
}

# 山西省 (the province-wide plan) for the synthetic tree; codes are well-formed, names synthetic.
PROVINCE_CODE = "140000"


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


def _bulk(model, rows, batch=BATCH):
    for i in range(0, len(rows), batch):
        model.objects.bulk_create(rows[i : i + batch], batch_size=batch)


def insert_rows(model, objs):
    """Writes built objects through core.bulk.bulk_insert: COPY (several times faster) on
    PostgreSQL when the rows carry their ids, bulk_create otherwise. auto_now fields get the time
    of the write, as bulk_create gives them."""
    if not objs:
        return
    with_ids = objs[0].pk is not None
    columns = [f.attname for f in model._meta.concrete_fields
               if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
               and (with_ids or not f.primary_key)]
    bulk_insert(model, columns, [tuple(getattr(obj, c) for c in columns) for obj in objs],
                copy=copy_available() and with_ids, batch_size=BATCH)


def step_regions(ctx):
    scale: Scale = ctx["scale"]
    province, _ = Region.objects.get_or_create(
        code=PROVINCE_CODE, defaults={"name": "山西省（压测）", "level": RegionLevel.PROVINCE}
    )
    cities = []
    for c in range(scale.cities):
        code = f"14{c + 1:02d}00"
        cities.append(Region(code=code, name=f"压测市{c + 1}", level=RegionLevel.CITY, parent=province,
                             path=f"{province.path}{code}/"))
    _bulk(Region, cities)
    cities = list(Region.objects.filter(level=RegionLevel.CITY, parent=province).order_by("code"))
    counties = []
    for city in cities:
        for k in range(scale.counties_per_city):
            code = f"{city.code[:4]}{k + 21:02d}"
            counties.append(Region(code=code, name=f"{city.name}压测县{k + 1}", level=RegionLevel.COUNTY,
                                   parent=city, path=f"{city.path}{code}/"))
    _bulk(Region, counties)
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY, path__startswith=province.path).order_by("code"))
    towns = []
    for county in counties:
        for t in range(scale.towns_per_county):
            code = f"{county.code}{100 + t:03d}"
            towns.append(Region(code=code, name=f"{county.name}镇{t + 1}", level=RegionLevel.TOWN, parent=county,
                                path=f"{county.path}{code}/"))
    _bulk(Region, towns)
    towns = list(Region.objects.filter(level=RegionLevel.TOWN, path__startswith=province.path).order_by("code"))
    communities = []
    for town in towns:
        for m in range(scale.communities_per_town):
            code = f"{town.code}{m + 1:03d}"
            communities.append(Region(code=code, name=f"社区{m + 1}", level=RegionLevel.COMMUNITY, parent=town,
                                      path=f"{town.path}{code}/"))
    _bulk(Region, communities)
    ctx["province"] = province
    ctx["counties"] = counties
    ctx["towns"] = towns
    ctx["communities"] = list(
        Region.objects.filter(level=RegionLevel.COMMUNITY, path__startswith=province.path)
        .order_by("code").only("id", "path", "parent_id")
    )


BENCH_PASSWORD = "Bench@2025x"


def step_users(ctx):
    """The users the benchmarks act as: the working group of the first county, a town officer of
    its first town, and a provincial administrator who sees everything."""
    county, town = ctx["counties"][0], ctx["towns"][0]
    users = {}
    for username, role, region in [
        ("bench-county", Role.COUNTY_GROUP, county),
        ("bench-town", Role.TOWN, town),
        ("bench-admin", Role.SYSADMIN, ctx["province"]),
    ]:
        user = User(username=username, role=role, region=region, first_name=username)
        user.set_password(BENCH_PASSWORD)
        user.save()
        users[username] = user
    ctx["users"] = users


def step_enterprises(ctx):
    scale: Scale = ctx["scale"]
    counties = ctx["counties"]
    rows = []
    for n in range(scale.enterprises):
        first17 = f"91140000MA{n:07d}"
        rows.append(Enterprise(
            name=f"压测物业服务有限公司{n + 1}", credit_code=first17 + credit_code_check_char(first17),
            legal_representative="压测", registered_region=counties[n % len(counties)],
        ))
    _bulk(Enterprise, rows)
    ctx["enterprise_ids"] = list(
        Enterprise.objects.filter(name__startswith="压测物业").order_by("id").values_list("id", flat=True)
    )


def step_estates(ctx):
    scale: Scale = ctx["scale"]
    rnd: random.Random = ctx["random"]
    communities = ctx["communities"]
    enterprises = ctx["enterprise_ids"]
    ent_weights = list(accumulate(zipf_weights(len(enterprises), 0.8)))
    rows = []
    for n in range(scale.estates):
        community = communities[n % len(communities)]
        rows.append(Estate(
            name=f"压测小区{n + 1}", community_id=community.id, households=rnd.randint(80, 3000),
            building_count=rnd.randint(2, 40), elevator_count=rnd.choice((0, 0, 2, 4, 8, 12)),
            enterprise_id=rnd.choices(enterprises, cum_weights=ent_weights)[0] if rnd.random() < 0.9 else None,
        ))
    _bulk(Estate, rows)
    estates = list(
        Estate.objects.filter(name__startswith="压测小区").order_by("id")
        .values_list("id", "enterprise_id", "community__path")
    )
    rnd.shuffle(estates)  # Zipf rank independent of the region
    ctx["estates"] = estates
    ctx["estate_cum_weights"] = list(accumulate(zipf_weights(len(estates))))


def _aware(day: date, rnd: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rnd.randint(8, 18), rnd.randint(0, 59))))


def step_cases(ctx):
    """Cases over `months` months of history, each with its opening clue and the timeline events
    of the states it went through; supervision actions on a few of them."""
    scale: Scale = ctx["scale"]
    rnd: random.Random = ctx["random"]
    today = ctx["today"]
    categories = list(ProblemCategory.objects.filter(is_active=True, parent__isnull=False).values_list("id", flat=True))
    estates = ctx["estates"]
    cum = ctx["estate_cum_weights"]
    sources = [ClueSource.COMPLAINT] * 6 + [ClueSource.INSPECTION] * 2 + [ClueSource.SELF_CHECK, ClueSource.SPOT_CHECK]
    walk = [CaseState.PENDING_VERIFICATION, CaseState.VERIFYING, CaseState.RECTIFYING, CaseState.PENDING_CLOSURE,
            CaseState.CLOSED]
    first_id = _next_id(Case)
    ids = {CaseClue: _next_id(CaseClue), CaseEvent: _next_id(CaseEvent), SupervisionAction: _next_id(SupervisionAction)}

    def new_id(model):
        ids[model] += 1
        return ids[model] - 1

    loaded = [Case, CaseClue, CaseEvent, SupervisionAction]
    if apps.is_installed("complaints"):
        loaded.append(apps.get_model("complaints", "Complaint"))
    with secondary_indexes_deferred(*loaded):
        _load_cases(ctx, scale=scale, rnd=rnd, today=today, categories=categories, estates=estates, cum=cum,
                    sources=sources, walk=walk, first_id=first_id, new_id=new_id)


def _load_cases(ctx, *, scale, rnd, today, categories, estates, cum, sources, walk, first_id, new_id):
    days = scale.months * 30
    now = timezone.now()
    recorder = ctx["users"]["bench-county"]
    cases, clues, events, supervisions = [], [], [], []
    complaint_maker = _ComplaintMaker(ctx, new_id) if apps.is_installed("complaints") else None
    complaint_share = sources.count(ClueSource.COMPLAINT) / len(sources)
    per_case = max(1.0, scale.complaints / max(1, scale.cases * complaint_share))
    for i in range(scale.cases):
        estate_id, enterprise_id, path = rnd.choices(estates, cum_weights=cum)[0]
        opened = today - timedelta(days=int(days * (rnd.random() ** 0.7)))
        age = (today - opened).days
        # older cases are further along; a few are false or withdrawn
        roll = rnd.random()
        if roll < 0.08:
            final = CaseState.NOT_TRUE
        elif roll < 0.1:
            final = CaseState.WITHDRAWN
        else:
            final = walk[min(4, int(age / 20 * rnd.random() + rnd.random() * 1.5))]
        deadline = opened + timedelta(days=rnd.randint(10, 45)) if final not in (
            CaseState.PENDING_VERIFICATION, CaseState.VERIFYING) else None
        created_at = min(_aware(opened, rnd), now - timedelta(minutes=30))
        closed_at = created_at + timedelta(days=rnd.randint(5, 60)) if final == CaseState.CLOSED else None
        case_id = first_id + i
        source = rnd.choice(sources)
        cases.append(Case(
            id=case_id, estate_id=estate_id, region_path=path, enterprise_id=enterprise_id,
            category_id=rnd.choice(categories), description=f"压测问题描述 {case_id}", source=source, state=final,
            complainant_count=rnd.randint(1, 4) if source == ClueSource.COMPLAINT else 0, deadline=deadline,
            closed_at=closed_at, created_at=created_at,
            verification_result="true" if final in walk[2:] else ("false" if final == CaseState.NOT_TRUE else ""),
        ))
        if source == ClueSource.COMPLAINT and complaint_maker is not None:
            # 多人同诉: several complaints (each its own clue), a few phones calling more than once
            n = max(1, min(200, int(rnd.expovariate(1 / per_case) + 0.5)))
            phones = complaint_maker.add(case=cases[-1], n=n, opened=opened, clues=clues, state=final)
            cases[-1].complainant_count = phones
        else:
            clues.append(CaseClue(id=new_id(CaseClue), case_id=case_id, source=source, description="压测线索",
                                  received_at=created_at, complainant_count=1 if source == ClueSource.COMPLAINT else 0))
        events.append(_event(id=new_id(CaseEvent), case_id=case_id, kind=CaseEventKind.CREATED, label="登记案件",
                             from_state="", to_state=walk[0], at=created_at))
        path_states = walk[: walk.index(final) + 1] if final in walk else [walk[0], CaseState.VERIFYING, final]
        at = created_at
        for before, after in zip(path_states, path_states[1:], strict=False):
            # never after now: a recent case's steps crowd before it
            at = min(at + timedelta(days=rnd.randint(1, 10)), max(at, now - timedelta(minutes=1)))
            events.append(_event(id=new_id(CaseEvent), case_id=case_id, kind=CaseEventKind.TRANSITION, label="压测",
                                 from_state=before, to_state=after, at=at))
        if final == CaseState.CLOSED:
            cases[-1].closed_at = at  # closed when its closing event happened
        if rnd.random() < 0.04:
            supervisions.append(SupervisionAction(
                id=new_id(SupervisionAction), case_id=case_id, kind=rnd.choice([SupervisionKind.INTERVIEW, SupervisionKind.LISTED_SUPERVISION]),
                occurred_on=opened + timedelta(days=3), participants="压测", outcome="压测",
                level="county", deadline=opened + timedelta(days=30), recorded_by=recorder,
            ))
        if len(cases) >= BATCH or (complaint_maker and len(complaint_maker.rows) >= 4 * BATCH):
            _flush_cases(cases, clues, events, supervisions)
            if complaint_maker:
                complaint_maker.flush()
    _flush_cases(cases, clues, events, supervisions)
    for model in (Case, CaseClue, CaseEvent, SupervisionAction):
        _reset_sequence(model)
    if complaint_maker:
        complaint_maker.flush()
        _reset_sequence(complaint_maker.model)


class _ComplaintMaker:
    """Complaints of complaint-source cases, each with its own clue; phones come from a pool
    encrypted once (Fernet per row would dominate the run), a share of them anonymous."""

    def __init__(self, ctx, new_id):
        self.model = Complaint
        self.rnd = ctx["random"]
        self.today = ctx["today"]
        self.now = timezone.now()
        self.new_id = new_id
        self.next_id = _next_id(Complaint)
        self.rows = []
        self.channels = [Channel.HOTLINE_12345] * 6 + [Channel.PUBLIC_FORM, Channel.QR_CODE, Channel.PETITION,
                                                       Channel.LIVELIHOOD_HOTLINE, Channel.ONSITE]
        pool = [f"1{self.rnd.choice('3456789')}{self.rnd.randrange(10**9):09d}" for _ in range(2000)]
        self.phones = [(phone_encrypt(p), phone_hash(p)) for p in pool]
        self.phone_index = 0

    def add(self, *, case, n, opened, clues, state) -> int:
        distinct = set()
        handled = state in (CaseState.CLOSED, CaseState.NOT_TRUE, CaseState.WITHDRAWN)
        for k in range(n):
            complaint_id = self.next_id
            self.next_id += 1
            clue_id = self.new_id(CaseClue)
            received = min(_aware(opened + timedelta(days=int(k * self.rnd.random() * 3)), self.rnd),
                           timezone.now() - timedelta(minutes=10))
            if self.rnd.random() < 0.15:
                encrypted, hashed = "", ""
                distinct.add(f"anon-{complaint_id}")
            else:
                # distinct callers, unless this case's caller rings again
                self.phone_index = (self.phone_index + 1) % len(self.phones)
                encrypted, hashed = self.phones[self.phone_index] if self.rnd.random() > 0.1 or not distinct else (
                    self.phones[self.phone_index - 1])
                distinct.add(hashed)
            clues.append(CaseClue(id=clue_id, case_id=case.id, source=ClueSource.COMPLAINT, description="压测投诉",
                                  received_at=received, complainant_count=1, source_app_label="complaints",
                                  source_object_id=str(complaint_id)))
            channel = self.rnd.choice(self.channels)
            rated = handled and self.rnd.random() < 0.6
            self.rows.append(self.model(
                id=complaint_id, tracking_code=f"B{complaint_id:011d}", channel=channel,
                reference=f"GD{complaint_id:010d}" if channel == "12345" else "", received_at=received,
                estate_id=case.estate_id, region_path=case.region_path, category_id=case.category_id,
                description=f"压测投诉内容 {complaint_id}", complainant_name="", phone_encrypted=encrypted,
                phone_hash=hashed, is_anonymous=not hashed, deadline=received.date() + timedelta(days=7),
                status=ComplaintStatus.HANDLED if handled else ComplaintStatus.RECEIVED, case_id=case.id,
                clue_id=clue_id, reply="已处理" if handled else "",
                replied_at=min(received + timedelta(days=5), self.now) if handled else None,
                satisfaction=self.rnd.choice([Satisfaction.SATISFIED] * 6 + [Satisfaction.BASICALLY] * 3
                                             + [Satisfaction.UNSATISFIED]) if rated else "",
                rated_at=min(received + timedelta(days=6), self.now) if rated else None, created_at=received,
            ))
        return len(distinct)

    def flush(self):
        insert_rows(self.model, self.rows)
        self.rows.clear()


def _event(*, id, case_id, kind, label, from_state, to_state, at) -> dict:
    """A timeline entry for rectification.services.case_events_record, every key on every row."""
    return {"id": id, "case_id": case_id, "actor_id": None, "at": at, "kind": kind, "transition": "", "label": label,
            "from_state": from_state, "to_state": to_state, "note": "", "data": {}}


def _flush_cases(cases, clues, events, supervisions):
    insert_rows(Case, cases)
    insert_rows(CaseClue, clues)
    case_events_record(events=events)
    insert_rows(SupervisionAction, supervisions)
    for rows in (cases, clues, events, supervisions):
        rows.clear()


@contextmanager
def secondary_indexes_deferred(*models):
    """Bulk load into indexed tables (PostgreSQL): drops the tables' plain indexes (not the primary
    keys or constraints), lets the caller load, then builds each index once over the loaded rows —
    far cheaper than maintaining a dozen indexes row by row during COPY. Inside the caller's
    transaction: if the load fails, the rollback brings the indexes back."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # the foreign keys are checked at commit (deferred): check them now, CREATE INDEX refuses a
        # table with pending checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def _next_id(model) -> int:
    return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def _reset_sequence(model):
    """Explicit ids were inserted: move PostgreSQL's sequence past them."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
        )


STEPS = [step_regions, step_users, step_enterprises, step_estates, step_cases]


def generate(*, scale: str, seed: int = 20251, today: date | None = None, log=print) -> dict:
    """Builds one scale's data set. Refuses to run twice on one database (the synthetic
    province already exists)."""
    if scale not in SCALES:
        raise ValueError(f"未知规模：{scale}（可选：{'、'.join(SCALES)}）")
    if Region.objects.filter(code=PROVINCE_CODE, children__isnull=False).exists():
        raise ValueError("压测数据已存在：请在空数据库上运行（或先清空数据库）。")
    ctx = {"scale": SCALES[scale], "random": random.Random(seed), "today": today or timezone.localdate()}
    timings = {}
    for step in STEPS:
        started = timezone.now()
        with transaction.atomic():
            step(ctx)
        timings[step.__name__] = (timezone.now() - started).total_seconds()
        log(f"{step.__name__}: {timings[step.__name__]:.1f} s")
    if connection.vendor == "postgresql":  # fresh statistics for the planner
        started = timezone.now()
        refresh_statistics()
        timings["analyze"] = (timezone.now() - started).total_seconds()
        log(f"analyze: {timings['analyze']:.1f} s")
    return timings
