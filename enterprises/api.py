from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import serializers, viewsets

from .filters import EnterpriseFilter
from .models import CreditEvent, Enterprise, Evaluation, ExitRecord, HandoverItem, ListEntry, ListType, Proposal


class EnterpriseSerializer(serializers.ModelSerializer):
    registered_region_name = serializers.CharField(source="registered_region.name", read_only=True, default=None)
    list_status = serializers.SerializerMethodField(help_text="当前名单状态：red 红榜 / black 黑榜 / none 未列入")
    credit_summary = serializers.SerializerMethodField(help_text="计分期内（今日有效）的信用记录，限您的管辖范围")

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "credit_code", "legal_representative", "contact_person", "contact_phone", "address",
            "registered_region", "registered_region_name", "list_status", "credit_summary",
        ]

    def get_list_status(self, obj) -> str:
        if getattr(obj, "on_black", False):
            return ListType.BLACK
        if getattr(obj, "on_red", False):
            return ListType.RED
        return ListType.NONE

    def get_credit_summary(self, obj) -> dict:
        return {"good_events": obj.good_events, "bad_events": obj.bad_events, "points": obj.credit_points}


def _count(queryset, field="id"):
    return Coalesce(
        Subquery(queryset.values("enterprise_id").annotate(n=Count(field)).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        today = timezone.localdate()
        active = ListEntry.objects.active_on(today).filter(enterprise_id=OuterRef("pk"))
        events = (
            CreditEvent.objects.visible_to(self.request.user)
            .filter(enterprise_id=OuterRef("pk"), withdrawn_at__isnull=True).counting_on(today)
        )
        points = events.values("enterprise_id").annotate(s=Sum("points")).values("s")[:1]
        return (
            Enterprise.objects.visible_to(self.request.user).select_related("registered_region")
            .annotate(
                on_black=Exists(active.filter(list_type=ListType.BLACK)),
                on_red=Exists(active.filter(list_type=ListType.RED)),
                good_events=_count(events.filter(is_bad=False)),
                bad_events=_count(events.filter(is_bad=True)),
                credit_points=Coalesce(Subquery(points, output_field=IntegerField()), Value(0)),
            )
            .order_by("id")
        )


class CreditEventSerializer(serializers.ModelSerializer):
    # a plain string (a CreditEventKind value): another "kind" enum would collide in the schema
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = CreditEvent
        fields = [
            "id", "enterprise", "enterprise_name", "kind", "kind_display", "is_bad", "occurred_on", "counts_from",
            "counts_until", "points", "description", "decision_number", "source_case", "source_supervision",
            "source_exit", "estate", "is_published", "withdrawn_at", "recorded_at",
        ]
        read_only_fields = fields


class CreditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """诚信档案：信用记录（限管辖范围；企业用户只看本企业）。"""

    serializer_class = CreditEventSerializer
    filterset_fields = ["enterprise", "kind", "is_bad", "is_published"]

    def get_queryset(self):
        return CreditEvent.objects.visible_to(self.request.user).select_related("enterprise").order_by("-occurred_on", "-id")


class ProposalSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "enterprise", "enterprise_name", "proposed", "reasons", "metrics", "decision", "final",
                  "decision_reason", "decided_at"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    batch_id = serializers.CharField(read_only=True)
    proposals = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = ["id", "title", "jurisdiction", "jurisdiction_name", "period_start", "period_end", "status",
                  "decision_number", "decided_on", "valid_until", "basis", "published_at", "batch_id", "proposals"]
        read_only_fields = fields

    def get_proposals(self, obj) -> list[dict]:
        # prefetched with the user's visible enterprises only (see EvaluationViewSet)
        return ProposalSerializer(obj.visible_proposals, many=True).data


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """红黑榜评定及每家企业的建议、决定（限管辖范围）。"""

    serializer_class = EvaluationSerializer
    filterset_fields = ["status", "jurisdiction"]

    def get_queryset(self):
        user = self.request.user
        proposals = Proposal.objects.filter(enterprise__in=Enterprise.objects.visible_to(user).values("pk")) \
            .select_related("enterprise").order_by("enterprise__name")
        return (
            Evaluation.objects.visible_to(user).select_related("jurisdiction")
            .prefetch_related(Prefetch("proposals", queryset=proposals, to_attr="visible_proposals"))
            .order_by("-id")
        )


class HandoverItemSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display", read_only=True)

    class Meta:
        model = HandoverItem
        fields = ["id", "item", "item_display", "done_on", "evidence"]
        read_only_fields = fields


class ExitRecordSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    handover_items = HandoverItemSerializer(many=True, read_only=True)

    class Meta:
        model = ExitRecord
        fields = ["id", "estate", "estate_name", "enterprise", "enterprise_name", "reason", "decision", "decision_date",
                  "notice_date", "handover_deadline", "new_enterprise", "new_manager_name", "status", "overdue_case",
                  "completed_on", "market_regulation_referred_on", "handover_items"]
        read_only_fields = fields


class ExitRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """退出机制：退出与移交记录（限管辖范围）。"""

    serializer_class = ExitRecordSerializer
    filterset_fields = ["status", "enterprise", "estate"]

    def get_queryset(self):
        return (
            ExitRecord.objects.visible_to(self.request.user).select_related("estate", "enterprise")
            .prefetch_related("handover_items").order_by("-id")
        )


