"""API of owners' decisions: scoped list and detail with turnout and results. Individual ballots
are listed only once the vote has closed (the choices are frozen under the hash by then)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors
from .models import Ballot, Matter, Vote, VoteEvent, VoteStatus


class MatterSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    majority_display = serializers.CharField(source="get_majority_display", read_only=True)

    class Meta:
        model = Matter
        fields = ["id", "position", "kind", "kind_display", "title", "majority", "majority_display", "new_enterprise",
                  "new_manager_name", "notice_days", "handover_deadline", "renew_until", "yes_area", "yes_owners",
                  "no_area", "no_owners", "abstain_area", "abstain_owners", "passed", "outcome", "exit_record"]
        read_only_fields = fields


class TurnoutSerializer(serializers.Serializer):
    area = serializers.DecimalField(max_digits=12, decimal_places=2)
    owners = serializers.IntegerField()
    total_area = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_owners = serializers.IntegerField()
    area_percent = serializers.CharField()
    owners_percent = serializers.CharField()


class BallotSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.unit")
    choices = serializers.SerializerMethodField()

    class Meta:
        model = Ballot
        fields = ["id", "unit", "area", "channel", "choices", "cast_at", "updated_at", "changes"]
        read_only_fields = fields

    def get_choices(self, obj) -> dict[str, str]:
        return {str(c.matter_id): c.choice for c in obj.choices.all()}


class VoteSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)
    convened_by = serializers.CharField(read_only=True, help_text="组织方：本小区业委会（物管会），或“社区/街道组织”")
    matters = MatterSerializer(many=True, read_only=True)

    class Meta:
        model = Vote
        fields = ["id", "estate", "estate_name", "enterprise", "enterprise_name", "committee", "convened_by", "title",
                  "status", "closes_at", "opened_at", "closed_at", "total_area", "total_owners", "result_hash", "matters"]
        read_only_fields = fields


class VoteDetailSerializer(VoteSerializer):
    turnout = serializers.SerializerMethodField()
    ballots = serializers.SerializerMethodField(help_text="表决结束后才列出各户表决票；结束前为空")

    class Meta(VoteSerializer.Meta):
        fields = VoteSerializer.Meta.fields + ["turnout", "ballots"]
        read_only_fields = fields

    @extend_schema(responses=TurnoutSerializer)
    def get_turnout(self, obj) -> dict:
        return TurnoutSerializer(selectors.turnout(obj)).data

    def get_ballots(self, obj) -> list[dict]:
        if obj.status != VoteStatus.CLOSED:
            return []
        rows = Ballot.objects.filter(vote=obj).select_related("unit").prefetch_related("choices").order_by("unit__unit")
        return BallotSerializer(rows, many=True).data


class VoteEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.get_username", read_only=True, default=None)

    class Meta:
        model = VoteEvent
        fields = ["id", "at", "kind", "actor", "actor_name", "from_state", "to_state", "note", "data"]
        read_only_fields = fields


class VoteViewSet(viewsets.ReadOnlyModelViewSet):
    """业主表决（限管辖范围）：列表与详情（投票率、各事项计票结果）；表决结束前不列出各户表决票。"""

    filterset_fields = ["status", "estate"]

    def get_queryset(self):
        return (
            Vote.objects.visible_to(self.request.user).select_related("estate", "enterprise", "committee")
            .prefetch_related("matters").order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return VoteDetailSerializer if self.action == "retrieve" else VoteSerializer

    @extend_schema(responses=VoteEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        vote = self.get_object()
        return Response(VoteEventSerializer(vote.events.select_related("actor"), many=True).data)
