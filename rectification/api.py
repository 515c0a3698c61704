from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.errors import InvalidState, NotFound

from . import selectors, services
from .filters import CaseFilter, ClueFilter
from .models import Case, CaseAttachment, CaseClue, CaseEvent, CaseState
from .states import TRANSITIONS, transition_to


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    community_name = serializers.CharField(source="estate.community.name", read_only=True)
    town_name = serializers.CharField(source="estate.community.parent.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)
    category_label = serializers.CharField(source="category.label", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True)
    is_listed = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Case
        fields = [
            "id", "number", "estate", "estate_name", "community_name", "town_name", "enterprise", "enterprise_name",
            "category", "category_label", "campaign", "description", "source", "source_display", "state",
            "state_display", "version", "complainant_count", "is_corruption_clue", "verifying_unit",
            "verifying_person", "verification_result", "verification_note", "responsible_unit",
            "responsible_person", "measures", "deadline", "is_overdue", "days_overdue", "is_listed", "closed_at",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseAttachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at"]


class CaseEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # Plain strings (values of Case.state): a second enum of the same choices would make the
    # schema name the state enum twice.
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "kind", "kind_display", "transition", "label", "from_state", "to_state", "note",
                  "data", "actor", "actor_name", "attachments"]

    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor_id else "系统"


TransitionRequest = inline_serializer(
    name="CaseTransitionRequest",
    fields={
        "transition": serializers.ChoiceField(
            choices=[(t.name, t.label) for t in TRANSITIONS.values()], required=False,
            help_text="操作名；也可不填而给出 to_state（目标状态）",
        ),
        "to_state": serializers.ChoiceField(choices=CaseState.choices, required=False),
        "expected_version": serializers.IntegerField(required=False, help_text="客户端看到的版本号；已变更则返回 409"),
        "reason": serializers.CharField(required=False),
        "note": serializers.CharField(required=False),
        "verification_result": serializers.CharField(required=False),
        "verification_note": serializers.CharField(required=False),
        "measures": serializers.CharField(required=False),
        "responsible_unit": serializers.CharField(required=False),
        "responsible_person": serializers.CharField(required=False),
        "deadline": serializers.DateField(required=False),
        "deadline_workdays": serializers.IntegerField(required=False),
        "verifying_unit": serializers.IntegerField(required=False),
        "verifying_person": serializers.CharField(required=False),
        "duplicate_of": serializers.IntegerField(required=False),
        "files": serializers.ListField(child=serializers.FileField(), required=False),
    },
)


class ClueSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    estate_name = serializers.CharField(source="case.estate.name", read_only=True)
    town_name = serializers.CharField(source="case.estate.community.parent.name", read_only=True)

    class Meta:
        model = CaseClue
        fields = ["id", "case", "source", "source_display", "reference", "estate_name", "town_name",
                  "complainant_count", "received_at"]
        read_only_fields = fields


class ClueViewSet(viewsets.ReadOnlyModelViewSet):
    """问题线索: the clues of the user's cases (收到线索 and its sources in the monthly figures)."""

    serializer_class = ClueSerializer
    filterset_class = ClueFilter

    def get_queryset(self):
        return CaseClue.objects.visible_to(self.request.user).select_related(
            "case__estate__community__parent").order_by("-received_at", "-id")


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """整改台账: the cases of the user's scope. State changes only through `transition`."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["id", "created_at", "complainant_count", "deadline"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).for_ledger().order_by("-created_at", "-id")

    @extend_schema(request=TransitionRequest, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        payload = {
            k: request.data.get(k) for k in request.data if k not in ("transition", "to_state", "expected_version", "files")
        }
        name = str(request.data.get("transition", ""))
        if not name and request.data.get("to_state"):
            spec = transition_to(case.state, str(request.data["to_state"]))
            if spec is None:
                target = dict(CaseState.choices).get(request.data["to_state"], request.data["to_state"])
                raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能变更为“{target}”。")
            name = spec.name
        try:
            services.case_transition(
                case_id=case.pk, user=request.user, transition=name,
                data=payload, files=request.FILES.getlist("files"),
                expected_version=request.data.get("expected_version") or None,
            )
        except NotFound:
            raise Http404 from None
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case).data)

    @extend_schema(responses=CaseEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        case = self.get_object()
        return Response(CaseEventSerializer(selectors.case_events(case=case), many=True).data)
