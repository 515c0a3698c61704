"""Import of an estate's revenue ledger from Excel (收支明细导入).

Reads the .xlsx through the one safe reader (core.spreadsheets: size, shared-string and sheet
extent limits checked before parsing), finds the header row in the first rows, and previews each row as 新增 / 重复 / 错误 with a Chinese reason. Amounts with
thousands separators, "元" or full-width digits are read; anything ambiguous is an error, never
a guess. Importing writes all new rows in one transaction, or nothing while any row is in error;
each row carries a natural key, so importing the same file again adds nothing."""

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core import spreadsheets
from core.errors import Conflict, ImportRefused
from core.spreadsheets import NOT_READABLE, SpreadsheetRefused, read_rows

from .models import AllocationBasis, Direction, RevenueEntry, RevenueEventKind, RevenueKind, SpendingKind
from .services import InvalidInput, _estate_for_write, _event, parse_amount

MAX_ROWS = 5000
HEADER_SCAN_ROWS = 10
COLUMNS = {
    "occurred_on": ("日期", "发生日期", "收支日期"),
    "kind": ("类型", "收支类型", "项目", "收益类型"),
    "direction": ("收支", "收入/支出", "收支方向"),
    "amount": ("金额", "金额（元）", "金额(元)"),
    "counterparty": ("交易对方", "对方单位", "合作方"),
    "note": ("备注", "摘要", "说明"),
    "allocation_basis": ("分配依据", "分配使用依据", "依据"),
}
REQUIRED = ("occurred_on", "kind", "direction", "amount")
DIRECTIONS = {"收入": Direction.INCOME, "收": Direction.INCOME, "支出": Direction.SPENDING, "支": Direction.SPENDING}
INCOME_KINDS = {label: value for value, label in RevenueKind.choices} | {"快递柜": "facility", "充电桩": "facility"}
SPENDING_KINDS = {label: value for value, label in SpendingKind.choices} | {"管理成本": "enterprise_share"}
BASES = {label: value for value, label in AllocationBasis.choices}
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass
class Row:
    line: int
    values: dict
    status: str = "new"  # new | duplicate | error
    reasons: list[str] = field(default_factory=list)
    occurred_on: date | None = None
    direction: str = ""
    kind: str = ""
    amount: Decimal | None = None
    allocation_basis: str = ""
    import_key: str = ""

    @property
    def status_label(self) -> str:
        return {"new": "新增", "duplicate": "重复（已导入过）", "error": "错误"}[self.status]

    @property
    def kind_label(self) -> str:
        if self.direction == Direction.INCOME:
            return RevenueKind(self.kind).label if self.kind else ""
        return SpendingKind(self.kind).label if self.kind else ""


@dataclass
class Preview:
    rows: list[Row]

    @property
    def new(self) -> list[Row]:
        return [r for r in self.rows if r.status == "new"]

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.status == "error"]

    @property
    def duplicates(self) -> list[Row]:
        return [r for r in self.rows if r.status == "duplicate"]

    def total(self, direction: str) -> Decimal:
        return sum((r.amount for r in self.new if r.direction == direction), Decimal("0.00"))

    def to_json(self) -> dict:
        """What the preview page shows, for an import job's result (from_json); the cells as text."""
        return {"rows": [
            {"line": r.line, "values": {k: "" if v is None else str(v) for k, v in r.values.items()}, "status": r.status,
             "reasons": r.reasons, "occurred_on": r.occurred_on.isoformat() if r.occurred_on else None,
             "direction": r.direction, "kind": r.kind, "amount": None if r.amount is None else str(r.amount),
             "allocation_basis": r.allocation_basis, "import_key": r.import_key}
            for r in self.rows
        ]}

    @classmethod
    def from_json(cls, data: dict) -> "Preview":
        return cls(rows=[
            Row(**{**row, "occurred_on": date.fromisoformat(row["occurred_on"]) if row["occurred_on"] else None,
                   "amount": None if row["amount"] is None else Decimal(row["amount"])})
            for row in data["rows"]
        ])


def _clean(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


UNREADABLE = "无法读取文件，请上传 Excel（.xlsx）格式的收支明细。"


def check_file(content: bytes) -> None:
    """What _read_rows refuses before parsing (the type, then the safe reader's limits), without
    reading a row: a page runs it before it hands a large file to an import job."""
    if not content.startswith(b"PK\x03\x04"):
        raise ImportRefused(UNREADABLE)
    try:
        spreadsheets.check_file(content, max_rows=MAX_ROWS)
    except SpreadsheetRefused as exc:
        raise ImportRefused(UNREADABLE if exc.message == NOT_READABLE else exc.message) from None


def _read_rows(content: bytes) -> list[tuple[int, dict]]:
    if not content.startswith(b"PK\x03\x04"):
        raise ImportRefused(UNREADABLE)
    try:
        sheet = read_rows(content, max_rows=MAX_ROWS)
    except SpreadsheetRefused as exc:
        raise ImportRefused(UNREADABLE if exc.message == NOT_READABLE else exc.message) from None
    header_map = None
    rows = []
    for line, cells in enumerate(sheet, start=1):
        if header_map is None:
            if line > HEADER_SCAN_ROWS:
                break
            header_map = _header_map(cells)
            continue
        if all(c is None or _clean(c) == "" for c in cells):
            continue
        rows.append((line, {key: cells[i] if i < len(cells) else None for key, i in header_map.items()}))
        if len(rows) > MAX_ROWS:
            raise ImportRefused(f"一次最多导入 {MAX_ROWS} 行。")
    if header_map is None:
        labels = "、".join(COLUMNS[k][0] for k in REQUIRED)
        raise ImportRefused(f"未找到表头：前 {HEADER_SCAN_ROWS} 行中应有“{labels}”列。")
    return rows


def _header_map(cells) -> dict[str, int] | None:
    names = [_clean(c) for c in cells]
    found = {}
    for key, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    return found if all(k in found for k in REQUIRED) else None


def _parse_date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = _DATE_TEXT.match(_clean(raw))
    if not match:
        raise InvalidInput(f"日期“{_clean(raw)}”无法识别（请用 2025-03-31 格式）。")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise InvalidInput(f"日期“{_clean(raw)}”不存在。") from exc


def _parse_row(row: Row, today: date) -> None:
    v = row.values
    try:
        row.occurred_on = _parse_date(v.get("occurred_on"))
        if row.occurred_on > today:
            row.reasons.append("日期晚于今天")
    except InvalidInput as exc:
        row.reasons.append(exc.message)
    direction_text = _clean(v.get("direction"))
    row.direction = DIRECTIONS.get(direction_text, "")
    if not row.direction:
        row.reasons.append(f"收支“{direction_text}”应为“收入”或“支出”")
    kind_text = _clean(v.get("kind"))
    if row.direction:
        kinds = INCOME_KINDS if row.direction == Direction.INCOME else SPENDING_KINDS
        row.kind = kinds.get(kind_text, "")
        if not row.kind:
            allowed = "、".join(label for label in kinds)
            row.reasons.append(
                f"{'收入' if row.direction == Direction.INCOME else '支出'}类型“{kind_text}”无法识别（可选：{allowed}）"
            )
    try:
        row.amount = parse_amount(v.get("amount"))
    except InvalidInput as exc:
        row.reasons.append(exc.message)
    basis_text = _clean(v.get("allocation_basis"))
    if basis_text and row.direction == Direction.SPENDING:
        row.allocation_basis = BASES.get(basis_text, "")
        if not row.allocation_basis:
            row.reasons.append(f"分配依据“{basis_text}”应为“合同约定”或“业主大会决议”")
    if row.reasons:
        row.status = "error"


def _key(estate_id: int, row: Row, occurrence: int) -> str:
    parts = [
        str(estate_id),
        row.occurred_on.isoformat(),
        row.direction,
        row.kind,
        str(row.amount),
        _clean(row.values.get("counterparty")),
        _clean(row.values.get("note")),
        str(occurrence),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:64]


def ledger_import_preview(*, user: User, estate_id: int, content: bytes, progress=None) -> Preview:
    """Parses the file and classifies every row; writes nothing. `progress(done, total)` (an
    import job's) is called as rows are checked."""
    estate = _estate_for_write(user=user, estate_id=estate_id)
    today = timezone.localdate()
    rows = [Row(line=line, values=values) for line, values in _read_rows(content)]
    if not rows:
        raise ImportRefused("文件中没有数据行。")
    seen: Counter = Counter()
    for done, row in enumerate(rows, start=1):
        if progress is not None:
            progress(done, len(rows))
        _parse_row(row, today)
        if row.status == "error":
            continue
        # Identical lines in one file are distinct payments: number them, so that a re-import
        # of the same file maps each onto its own earlier row.
        identity = (
            row.occurred_on,
            row.direction,
            row.kind,
            row.amount,
            _clean(row.values.get("counterparty")),
            _clean(row.values.get("note")),
        )
        seen[identity] += 1
        row.import_key = _key(estate.pk, row, seen[identity])
    existing = set(
        RevenueEntry.objects.filter(
            estate=estate, import_key__in=[r.import_key for r in rows if r.import_key]
        ).values_list("import_key", flat=True)
    )
    for row in rows:
        if row.status == "new" and row.import_key in existing:
            row.status = "duplicate"
    return Preview(rows=rows)


def ledger_import(*, user: User, estate_id: int, content: bytes, progress=None) -> Preview:
    """Imports the new rows in one transaction; refuses the whole file while any row is in error."""
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        preview = ledger_import_preview(user=user, estate_id=estate.pk, content=content, progress=progress)
        if preview.errors:
            lines = "、".join(str(r.line) for r in preview.errors[:10])
            raise ImportRefused(f"第 {lines} 行有错误，请修改后重新导入（本次未导入任何数据）。")
        entries = [
            RevenueEntry(
                estate=estate,
                direction=r.direction,
                occurred_on=r.occurred_on,
                amount=r.amount,
                income_kind=r.kind if r.direction == Direction.INCOME else "",
                spending_kind=r.kind if r.direction == Direction.SPENDING else "",
                allocation_basis=r.allocation_basis,
                counterparty=_clean(r.values.get("counterparty"))[:100],
                note=_clean(r.values.get("note"))[:200],
                import_key=r.import_key,
                created_by=user,
            )
            for r in preview.new
        ]
        try:
            with transaction.atomic():
                RevenueEntry.objects.bulk_create(entries, batch_size=500)
        except IntegrityError as exc:
            raise Conflict("导入期间该小区的收支已被他人导入，请重新预览。") from exc
        if entries:
            _event(
                estate=estate,
                user=user,
                kind=RevenueEventKind.IMPORT,
                note=f"导入收支 {len(entries)} 条（收入 {preview.total(Direction.INCOME)} 元，支出 {preview.total(Direction.SPENDING)} 元）",
                data={
                    "rows": len(entries),
                    "duplicates": len(preview.duplicates),
                    "income": str(preview.total(Direction.INCOME)),
                    "spending": str(preview.total(Direction.SPENDING)),
                },
            )
    return preview
