"""django-import-export resource of the 12345 import for the admin. It does not go row by row
through import-export's save path: import_data hands the whole dataset to the same bulk importer
as the staff page (complaints.importer), so the admin gets the same header detection, Chinese
reasons, duplicate rules, one transaction and bounded query count."""

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.results import Result, RowResult

from core.errors import DomainError

from . import importer
from .models import Complaint

PREVIEW_HEADERS = ["行号", "结果", "工单编号", "来电时间", "所属区域", "小区名称", "匹配小区", "诉求类别", "说明"]


class Complaint12345Resource(resources.ModelResource):
    class Meta:
        model = Complaint
        fields = ("reference", "received_at", "complainant_name", "description", "raw_region", "raw_estate",
                  "raw_category", "deadline")
        import_id_fields = ("reference",)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        user = kwargs.get("user")
        result = Result()
        result.diff_headers = PREVIEW_HEADERS
        cells = [list(dataset.headers or [])] + [list(row) for row in dataset]
        try:
            rows = importer.rows_from_cells(cells)
            outcome = importer.preview(rows, user=user) if dry_run else importer.import_12345(rows, user=user)
        except DomainError as exc:
            if raise_errors:
                raise
            result.append_invalid_row(0, {}, ValidationError(exc.message))
            return result
        result.total_rows = len(outcome.rows)
        for row in outcome.rows:
            values = [row.line, row.status_label, row.values.get("reference", ""),
                      row.received_at.strftime("%Y-%m-%d %H:%M") if row.received_at else row.values.get("received_at", ""),
                      row.values.get("region", ""), row.values.get("estate", ""),
                      row.estate.name if row.estate else "—", row.category.label if row.category else "—",
                      "；".join(row.reasons)]
            if row.status == "error":
                result.append_invalid_row(row.line, dict(zip(PREVIEW_HEADERS, values, strict=True)),
                                          ValidationError("；".join(row.reasons)))
                continue
            row_result = RowResult()
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if row.status == "new" else RowResult.IMPORT_TYPE_SKIP
            row_result.diff = values
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result
