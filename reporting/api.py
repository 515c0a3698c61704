from django.urls import reverse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from accounts.capabilities import require
from core.files import serve_private

from .models import StoredReport
from .selectors import WORKBOOK_REFUSED


class StoredReportSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    download_url = serializers.SerializerMethodField(help_text="下载地址（.xlsx）")

    class Meta:
        model = StoredReport
        fields = ["id", "region_code", "region_name", "period", "kind", "kind_label", "version", "status",
                  "started_at", "finished_at", "data_as_of", "rows", "size", "delivered_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        url = reverse("report-download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class StoredReportViewSet(viewsets.ReadOnlyModelViewSet):
    """汇总报表：本人管辖范围内已生成的各期报表及其各版本（只列出已完整生成的文件）。"""

    serializer_class = StoredReportSerializer
    filterset_fields = ["period", "kind", "version"]
    ordering_fields = ["period", "version", "finished_at"]

    def get_queryset(self):
        return (
            StoredReport.objects.visible_to(self.request.user).offered().select_related("region")
            .order_by("-period", "kind", "-version")
        )

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        require(request.user, "report.county_figures", message=WORKBOOK_REFUSED)
        self.get_object()  # the viewset's permission checks
        return serve_private(request, StoredReport.objects.offered().select_related("region"), pk=pk, name_field="filename")
