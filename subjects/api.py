"""/api/v1/developers/ and /api/v1/owners-committees/: read-only lists and details with the pages'
filters; every queryset starts from visible_to(user) (another region's row: 404)."""

from django.db.models import Count, Prefetch
from rest_framework import serializers, viewsets

from .filters import CommitteeFilter, DeveloperFilter
from .models import CommitteeMember, Developer, DeveloperProject, OwnersCommittee, ProjectObligation


class ObligationSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display", read_only=True)

    class Meta:
        model = ProjectObligation
        fields = ["id", "item", "item_display", "is_done", "done_on", "note"]


class ProjectSerializer(serializers.ModelSerializer):
    obligations = ObligationSerializer(many=True, read_only=True)

    class Meta:
        model = DeveloperProject
        fields = ["id", "name", "estates", "delivered_on", "note", "obligations"]


class DeveloperSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    projects = ProjectSerializer(many=True, read_only=True)

    class Meta:
        model = Developer
        fields = ["id", "name", "credit_code", "region", "region_name", "contact_person", "contact_phone", "address",
                  "projects"]


class DeveloperViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeveloperSerializer
    filterset_class = DeveloperFilter
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        projects = DeveloperProject.objects.prefetch_related("obligations", "estates")
        return (Developer.objects.visible_to(self.request.user).select_related("region")
                .prefetch_related(Prefetch("projects", queryset=projects)).order_by("id"))


class MemberSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = CommitteeMember
        fields = ["id", "name", "role", "role_display", "term_start", "term_end", "is_party_member"]


class CommitteeSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    community = serializers.IntegerField(source="estate.community_id", read_only=True)
    town = serializers.IntegerField(source="estate.community.parent_id", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = OwnersCommittee
        fields = ["id", "estate", "estate_name", "community", "town", "kind", "kind_display", "filed_on", "has_seal",
                  "term_start", "term_end", "has_party_organisation", "is_current", "member_count", "members"]


class OwnersCommitteeViewSet(viewsets.ReadOnlyModelViewSet):
    """The current committees (the coverage figures' lists)."""

    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilter
    ordering_fields = ["term_end", "id"]

    def get_queryset(self):
        return (OwnersCommittee.objects.visible_to(self.request.user).current()
                .select_related("estate__community").prefetch_related("members")
                .annotate(member_count=Count("members")).order_by("id"))
