from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.models import ProblemCategory
from communities.models import Estate
from core.errors import InvalidInput, NotFound

from . import privacy, services
from .filters import ComplaintFilter
from .models import Channel, Complaint, ReplyMethod, Satisfaction


class ComplaintSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True, default=None)
    town_name = serializers.CharField(source="estate.community.parent.name", read_only=True, default=None)
    category_label = serializers.CharField(source="category.label", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)
    case_complainant_count = serializers.IntegerField(source="case.complainant_count", read_only=True, default=None)
    complainant_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id", "tracking_code", "channel", "channel_display", "reference", "received_at", "estate", "estate_name",
            "town_name", "category", "category_label", "description", "complainant_name", "phone", "is_anonymous",
            "deadline", "is_overdue", "status", "status_display", "case", "case_number", "case_complainant_count",
            "reply", "reply_method", "replied_at", "reply_deadline", "satisfaction", "rating_comment", "rated_at",
            "rating_source", "raw_estate", "raw_category", "review_note",
        ]
        read_only_fields = fields

    def _who(self, obj):
        return privacy.complainant_display(obj, self.context["request"].user)

    def get_complainant_name(self, obj) -> str:
        return self._who(obj)["name"]

    def get_phone(self, obj) -> str:
        return self._who(obj)["phone"]


class ComplaintCreateSerializer(serializers.Serializer):
    """A work order pushed by an integration (e.g. the 12345 platform) or entered by staff."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False)
    estate = serializers.IntegerField()
    category = serializers.CharField(help_text="问题类别的 ID 或编码（如 A1）")
    description = serializers.CharField(max_length=2000)
    complainant_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    deadline = serializers.DateField(required=False, allow_null=True)

    default_error_messages = {"invalid": "请求数据格式不正确。"}


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000)
    method = serializers.ChoiceField(choices=ReplyMethod.choices)


class ReturnCallSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ComplaintViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """投诉受理: complaints of the user's scope, filterable and paginated; POST registers one
    (duplicate channel references answer 409)."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    ordering_fields = ["id", "received_at", "deadline"]

    def get_queryset(self):
        return Complaint.objects.visible_to(self.request.user).for_list().order_by("-received_at", "-id")

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintSerializer})
    def create(self, request, *args, **kwargs):
        payload = ComplaintCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        estate = Estate.objects.visible_to(request.user).select_related("community").filter(pk=data["estate"]).first()
        if estate is None:
            raise NotFound("小区不存在或不在您的管辖范围内。")
        key = data["category"].strip()
        category = ProblemCategory.objects.filter(**({"pk": int(key)} if key.isdigit() else {"code": key})).first()
        if category is None:
            raise InvalidInput("问题类别不存在。")
        complaint = services.complaint_create(
            channel=data["channel"], reference=data.get("reference", ""), received_at=data.get("received_at"),
            estate=estate, category=category, description=data["description"],
            complainant_name=data.get("complainant_name", ""), phone=data.get("phone", ""),
            is_anonymous=data.get("is_anonymous", False), deadline=data.get("deadline"), user=request.user,
        )
        complaint = self.get_queryset().get(pk=complaint.pk)
        return Response(ComplaintSerializer(complaint, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _act(self, request, payload_class, service):
        """One state action: the scoped complaint (404 outside the scope), the payload checked, the
        page's service called with it, the complaint as it now is."""
        complaint = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        done = service(complaint_id=complaint.pk, user=request.user, **payload.validated_data)
        return Response(ComplaintSerializer(self.get_queryset().get(pk=done.pk), context={"request": request}).data)

    @extend_schema(request=ReplySerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """反馈办理结果: what the complainant was told, and how."""
        return self._act(request, ReplySerializer, services.complaint_reply)

    @extend_schema(request=ReturnCallSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"], url_path="return-call")
    def return_call(self, request, pk=None):
        """回访: the complainant's rating, recorded by staff after the reply."""
        return self._act(request, ReturnCallSerializer, services.complaint_record_return_call)

    @extend_schema(request=ReopenSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """不满意重新办理: the case goes back with the reason on its timeline."""
        return self._act(request, ReopenSerializer, services.complaint_reopen)
