from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from communities.models import Region
from core.errors import InvalidInput, InvalidState, NotFound
from core.workdays import add_working_days

from . import documents, selectors, services
from .filters import CaseFilter, ClueFilter
from .models import Case, CaseAttachment, CaseClue, CaseDocument, CaseEvent, CaseState, DocumentKind
from .states import (
    CHOICE,
    DATE,
    REGION,
    TEXT,
    TRANSITIONS,
    VERSION_INVALID,
    WORKDAYS_MAX,
    WORKDAYS_NOT_A_NUMBER,
    WORKDAYS_OUT_OF_RANGE,
    TransitionField,
    all_value_fields,
    transition_to,
)


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
            "category", "category_label", "subject_kind", "developer", "owners_committee", "government_unit",
            "campaign", "description", "source", "source_display", "state",
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


def _request_field(f: TransitionField) -> serializers.Field:
    """The API's parser of one transition field (the same messages as the page and the service)."""
    messages = {"invalid": f.invalid_message, "invalid_choice": f.invalid_message, "max_length": f.invalid_message,
                "incorrect_type": f.invalid_message, "does_not_exist": f.invalid_message, "null": f.invalid_message}
    common = {"required": False, "allow_null": True, "label": f.label, "error_messages": messages}
    if f.kind == TEXT:
        return serializers.CharField(allow_blank=True, max_length=f.max_length, **common)
    if f.kind == DATE:
        return serializers.DateField(**common)
    if f.kind == CHOICE:
        return serializers.ChoiceField(choices=f.choices, **common)
    if f.kind == REGION:
        return serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), **common)
    return serializers.IntegerField(**common)  # CASE: a case id


class CaseTransitionRequest(serializers.Serializer):
    """A transition by name (or by its target state) with its values: the fields are those the
    transitions declare in rectification.states; which are required is the service's to say."""

    transition = serializers.ChoiceField(
        choices=[(t.name, t.label) for t in TRANSITIONS.values()], required=False,
        help_text="操作名；也可不填而给出 to_state（目标状态）", error_messages={"invalid_choice": "未知的操作。"},
    )
    to_state = serializers.ChoiceField(choices=CaseState.choices, required=False,
                                       error_messages={"invalid_choice": "未知的目标状态。"})
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, help_text="客户端看到的版本号；已变更则返回 409",
        error_messages={"invalid": VERSION_INVALID, "max_string_length": VERSION_INVALID},
    )
    files = serializers.ListField(child=serializers.FileField(), required=False)

    def get_fields(self):
        fields = super().get_fields()
        for f in all_value_fields().values():
            fields[f.name] = _request_field(f)
            if f.workdays:
                fields[f"{f.name}_workdays"] = serializers.IntegerField(
                    required=False, allow_null=True, min_value=1, max_value=WORKDAYS_MAX,
                    error_messages={"invalid": WORKDAYS_NOT_A_NUMBER, "min_value": WORKDAYS_OUT_OF_RANGE,
                                    "max_value": WORKDAYS_OUT_OF_RANGE},
                )
        return fields

    def validate(self, attrs):
        for f in all_value_fields().values():
            workdays = attrs.pop(f"{f.name}_workdays", None)
            if f.workdays and not attrs.get(f.name) and workdays:
                attrs[f.name] = add_working_days(timezone.localdate(), workdays)
        return attrs

    @classmethod
    def parse(cls, data) -> dict:
        """The request's values, parsed; a value that is not of its field's kind is InvalidInput
        (400 with the field's Chinese message). A blank non-text value counts as not given."""
        text = {name for name, f in all_value_fields().items() if f.kind == TEXT}
        raw = {k: data.get(k) for k in data if k != "files"}
        raw = {k: v for k, v in raw.items() if v != "" or k in text}
        payload = cls(data=raw)
        if not payload.is_valid():
            raise InvalidInput(_first_message(payload.errors))
        return payload.validated_data


def _first_message(errors) -> str:
    while isinstance(errors, (dict, list)):
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors)


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


class CaseDocumentRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)


class CaseDocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    attachment_id = serializers.IntegerField(read_only=True)
    event_id = serializers.IntegerField(source="attachment.event_id", read_only=True)

    class Meta:
        model = CaseDocument
        fields = ["id", "case", "kind", "kind_label", "number", "year", "serial", "issued_at", "attachment_id",
                  "event_id"]


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """整改台账: the cases of the user's scope. State changes only through `transition`."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["id", "created_at", "complainant_count", "deadline"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).for_ledger().order_by("-created_at", "-id")

    @extend_schema(request=CaseTransitionRequest, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        data = CaseTransitionRequest.parse(request.data)
        name = data.get("transition") or ""
        to_state = data.get("to_state") or ""
        if not name and to_state:
            spec = transition_to(case.state, to_state)
            if spec is None:
                target = dict(CaseState.choices).get(to_state, to_state)
                raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能变更为“{target}”。")
            name = spec.name
        spec = TRANSITIONS.get(name)
        values = {f.name: data[f.name] for f in spec.value_fields if f.name in data} if spec else {}
        try:
            services.case_transition(
                case_id=case.pk, user=request.user, transition=name, files=request.FILES.getlist("files"),
                expected_version=data.get("expected_version"), **values,
            )
        except NotFound:
            raise Http404 from None
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case).data)

    action_capabilities = {"documents": "document.issue"}

    @extend_schema(request=CaseDocumentRequest, responses=CaseDocumentSerializer)
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        """出具文书: the same service as the case page; the .docx is on the case's timeline."""
        case = self.get_object()
        request_data = CaseDocumentRequest(data=request.data)
        if not request_data.is_valid():
            raise InvalidInput("文书类型无效，可选：" + "、".join(f"{v}（{label}）" for v, label in DocumentKind.choices))
        try:
            document = documents.case_document_issue(case_id=case.pk, user=request.user,
                                                     kind=request_data.validated_data["kind"])
        except NotFound:
            raise Http404 from None
        return Response(CaseDocumentSerializer(document).data, status=201)

    @extend_schema(responses=CaseEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        case = self.get_object()
        return Response(CaseEventSerializer(selectors.case_events(case=case), many=True).data)
