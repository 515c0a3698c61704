"""/api/v1/revenue-accounts/, revenue-sources/, revenue-entries/, disclosures/: scoped lists with
filters; creation through the same services the pages call. Account numbers are only masked."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from . import services
from .filters import AccountFilter, DisclosureFilter, EntryFilter, SourceFilter
from .models import (
    AccountHolder,
    AllocationBasis,
    Approval,
    Direction,
    Disclosure,
    RevenueAccount,
    RevenueEntry,
    RevenueKind,
    RevenueSource,
)


class _EstateFields(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    town_name = serializers.CharField(source="estate.community.parent.name", read_only=True)


class RevenueAccountSerializer(_EstateFields):
    account_number_masked = serializers.CharField(source="masked_number", read_only=True)
    holder_display = serializers.CharField(source="get_holder_display", read_only=True)

    class Meta:
        model = RevenueAccount
        fields = [
            "id",
            "estate",
            "estate_name",
            "town_name",
            "has_account",
            "bank",
            "account_name",
            "account_number_masked",
            "opened_on",
            "holder",
            "holder_display",
            "note",
            "updated_at",
        ]
        read_only_fields = fields


class RevenueAccountInput(serializers.Serializer):
    estate = serializers.IntegerField()
    has_account = serializers.BooleanField()
    bank = serializers.CharField(required=False, allow_blank=True)
    account_name = serializers.CharField(required=False, allow_blank=True)
    account_number = serializers.CharField(required=False, allow_blank=True, write_only=True)
    opened_on = serializers.DateField(required=False, allow_null=True)
    holder = serializers.ChoiceField(choices=AccountHolder.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class RevenueSourceSerializer(_EstateFields):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    approval_display = serializers.CharField(source="get_approval_display", read_only=True)

    class Meta:
        model = RevenueSource
        fields = [
            "id",
            "estate",
            "estate_name",
            "town_name",
            "kind",
            "kind_display",
            "common_part",
            "counterparty",
            "contract_start",
            "contract_end",
            "contract_amount",
            "approval",
            "approval_display",
            "approval_decision",
            "approval_date",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class RevenueSourceInput(serializers.Serializer):
    estate = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RevenueKind.choices)
    common_part = serializers.CharField()
    counterparty = serializers.CharField(required=False, allow_blank=True)
    contract_start = serializers.DateField(required=False, allow_null=True)
    contract_end = serializers.DateField(required=False, allow_null=True)
    contract_amount = serializers.CharField(required=False, allow_blank=True, help_text="元，如 12000 或 12,000.00")
    approval = serializers.ChoiceField(choices=Approval.choices, required=False)
    approval_decision = serializers.CharField(required=False, allow_blank=True)
    approval_date = serializers.DateField(required=False, allow_null=True)


class RevenueEntrySerializer(_EstateFields):
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)
    kind_display = serializers.CharField(read_only=True)
    has_voucher = serializers.SerializerMethodField()

    class Meta:
        model = RevenueEntry
        fields = [
            "id",
            "estate",
            "estate_name",
            "town_name",
            "direction",
            "direction_display",
            "income_kind",
            "spending_kind",
            "kind_display",
            "source",
            "occurred_on",
            "amount",
            "counterparty",
            "allocation_basis",
            "basis_reference",
            "note",
            "has_voucher",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_voucher(self, obj) -> bool:
        return bool(obj.voucher)


class RevenueEntryInput(serializers.Serializer):
    estate = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    # One field for both directions: the service checks the value against the direction's list.
    kind = serializers.CharField(help_text="收入类型（RevenueKind）或支出类型（SpendingKind）的值，须与收支方向对应")
    occurred_on = serializers.DateField()
    amount = serializers.CharField(help_text='元，字符串，如 "1200.50"；不接受负数')
    source = serializers.IntegerField(required=False, allow_null=True)
    counterparty = serializers.CharField(required=False, allow_blank=True)
    allocation_basis = serializers.ChoiceField(choices=AllocationBasis.choices, required=False, allow_blank=True)
    basis_reference = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    voucher = serializers.FileField(required=False)


class DisclosureSerializer(_EstateFields):
    period_label = serializers.CharField(read_only=True)
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "estate",
            "estate_name",
            "town_name",
            "period_start",
            "period_end",
            "period_label",
            "deadline",
            "is_late",
            "income_total",
            "spending_total",
            "enterprise_share_total",
            "balance",
            "totals_by_kind",
            "posted_location",
            "posted_on_platform",
            "posted_on",
            "reviewed_at",
            "review_note",
            "created_at",
        ]
        read_only_fields = fields


class DisclosureInput(serializers.Serializer):
    estate = serializers.IntegerField()
    period_start = serializers.DateField(help_text="公示期间第一天，如 2025-07-01")
    posted_location = serializers.CharField()
    posted_on = serializers.DateField()
    posted_on_platform = serializers.BooleanField(required=False, default=False)
    photo = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class _CreateThroughService(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only lists and details, plus a `create` that validates the input serializer and calls
    the service; its DomainError becomes a Chinese 4xx."""

    capability = "revenue.write"
    action_capabilities = {"review": "revenue.review"}
    input_serializer_class: type[serializers.Serializer]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def call_service(self, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        payload = self.input_serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        estate_id = data.pop("estate")
        instance = self.call_service({"user": request.user, "estate_id": estate_id, **data})
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)


class RevenueAccountViewSet(_CreateThroughService):
    """公共收益专门账户 (create = record or update the estate's account)."""

    serializer_class = RevenueAccountSerializer
    input_serializer_class = RevenueAccountInput
    filterset_class = AccountFilter
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self):
        return (
            RevenueAccount.objects.visible_to(self.request.user)
            .select_related("estate__community__parent")
            .order_by("id")
        )

    def call_service(self, data):
        return services.account_record(**data)

    @extend_schema(request=RevenueAccountInput, responses=RevenueAccountSerializer)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class RevenueSourceViewSet(_CreateThroughService):
    """公共部位经营项目."""

    serializer_class = RevenueSourceSerializer
    input_serializer_class = RevenueSourceInput
    filterset_class = SourceFilter
    ordering_fields = ["id", "contract_start"]

    def get_queryset(self):
        return (
            RevenueSource.objects.visible_to(self.request.user)
            .select_related("estate__community__parent")
            .order_by("id")
        )

    def call_service(self, data):
        return services.source_create(**data)

    @extend_schema(request=RevenueSourceInput, responses=RevenueSourceSerializer)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class RevenueEntryViewSet(_CreateThroughService):
    """公共收益收支明细."""

    serializer_class = RevenueEntrySerializer
    input_serializer_class = RevenueEntryInput
    filterset_class = EntryFilter
    ordering_fields = ["id", "occurred_on", "amount"]

    def get_queryset(self):
        return (
            RevenueEntry.objects.visible_to(self.request.user)
            .select_related("estate__community__parent")
            .order_by("-occurred_on", "-id")
        )

    def call_service(self, data):
        data["source_id"] = data.pop("source", None)
        return services.entry_create(**data)

    @extend_schema(request=RevenueEntryInput, responses=RevenueEntrySerializer)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class DisclosureViewSet(_CreateThroughService):
    """公共收益公示."""

    serializer_class = DisclosureSerializer
    input_serializer_class = DisclosureInput
    filterset_class = DisclosureFilter
    ordering_fields = ["id", "period_start", "posted_on"]

    def get_queryset(self):
        return (
            Disclosure.objects.visible_to(self.request.user)
            .select_related("estate__community__parent")
            .order_by("-period_start", "id")
        )

    def call_service(self, data):
        return services.disclosure_create(**data)

    @extend_schema(request=DisclosureInput, responses=DisclosureSerializer)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=ReviewInput, responses=DisclosureSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        disclosure = self.get_object()
        payload = ReviewInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.disclosure_review(
            user=request.user, disclosure_id=disclosure.pk, note=payload.validated_data.get("note", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=disclosure.pk)).data)
