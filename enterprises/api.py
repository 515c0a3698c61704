from rest_framework import serializers, viewsets

from .filters import EnterpriseFilter
from .models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    registered_region_name = serializers.CharField(source="registered_region.name", read_only=True, default=None)

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "credit_code", "legal_representative", "contact_person", "contact_phone", "address",
            "registered_region", "registered_region_name",
        ]


class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        return Enterprise.objects.visible_to(self.request.user).select_related("registered_region").order_by("id")
