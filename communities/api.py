from rest_framework import serializers, viewsets

from .filters import EstateFilter
from .models import Estate, Region


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_display", "parent"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent"]

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user)


class EstateSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    town = serializers.IntegerField(source="community.parent_id", read_only=True)
    town_name = serializers.CharField(source="community.parent.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)

    class Meta:
        model = Estate
        fields = [
            "id", "name", "address", "community", "community_name", "town", "town_name", "building_count",
            "households", "elevator_count", "oldest_elevator_year", "ev_charging_ports", "management_type",
            "owners_body_status", "owners_body_term_end", "has_party_organisation", "enterprise", "enterprise_name",
            "contract_start", "contract_end", "service_level", "contract_filing_number",
        ]


class EstateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EstateSerializer
    filterset_class = EstateFilter
    ordering_fields = ["name", "households", "id"]

    def get_queryset(self):
        return Estate.objects.visible_to(self.request.user).with_regions().order_by("id")
