"""/api/v1/<register>/ for each estate register (fund-accounts, fund-collections, fund-uses, lifts,
parking, service-contracts, fee-disclosures) and /api/v1/parking-disputes/: scoped lists and
details with filters (estate, status); POST …/<id>/review/ calls the same service as the page."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import ParkingDispute, ReviewStatus
from .registry import REGISTERS, Register


class _RowFields(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    town_name = serializers.CharField(source="estate.community.parent.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)


class RegisterReviewInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _serializer_for(register: Register):
    fields = ["id", "estate", "estate_name", "town_name", *register.columns, "status", "status_display",
              "entered_at", "reviewed_at", "review_note"]
    meta = type("Meta", (), {"model": register.model, "fields": fields, "read_only_fields": fields})
    return type(f"{register.model.__name__}Serializer", (_RowFields,), {"Meta": meta})


def _filterset_for(register: Register):
    meta = type("Meta", (), {"model": register.model, "fields": {"estate": ["exact"]}})
    attrs = {
        "Meta": meta,
        "status": filters.ChoiceFilter(choices=ReviewStatus.choices),
        "town": filters.NumberFilter(field_name="estate__community__parent_id"),
    }
    return type(f"{register.model.__name__}ApiFilter", (filters.FilterSet,), attrs)


def _viewset_for(register: Register):
    serializer = _serializer_for(register)

    class RegisterViewSet(viewsets.ReadOnlyModelViewSet):
        serializer_class = serializer
        filterset_class = _filterset_for(register)
        action_capabilities = {"review": "register.review"}
        ordering_fields = ["id", "entered_at"]

        def get_queryset(self):
            return selectors.register_rows(user=self.request.user, register=register).order_by("-pk")

        @extend_schema(request=RegisterReviewInput, responses=serializer)
        @action(detail=True, methods=["post"])
        def review(self, request, pk=None):
            self.get_object()  # 404 outside the scope
            data = RegisterReviewInput(data=request.data)
            data.is_valid(raise_exception=True)
            row = services.register_review(user=request.user, register=register.slug, pk=int(pk),
                                           approve=data.validated_data["approve"],
                                           reason=data.validated_data.get("reason", ""))
            return Response(serializer(row).data)

    RegisterViewSet.__name__ = f"{register.model.__name__}ViewSet"
    RegisterViewSet.__qualname__ = RegisterViewSet.__name__
    return RegisterViewSet


VIEWSETS = {slug: _viewset_for(register) for slug, register in REGISTERS.items()}


class ParkingDisputeSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ParkingDispute
        fields = ["id", "estate", "estate_name", "kind", "kind_display", "description", "case", "recorded_at"]
        read_only_fields = fields


class ParkingDisputeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ParkingDisputeSerializer
    filterset_fields = ["estate", "kind"]

    def get_queryset(self):
        return selectors.parking_disputes(user=self.request.user)
