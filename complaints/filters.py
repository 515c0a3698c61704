import django_filters
from django import forms
from django.db.models import Q

from campaigns.models import ProblemCategory
from communities.filters import RegionFilterSet, scoped_communities, scoped_towns

from . import privacy
from .models import Channel, Complaint, ComplaintStatus, RatingSource, Satisfaction

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]
SORT_CHOICES = [
    ("-received_at", "最新受理"),
    ("-case__complainant_count", "同案投诉人数（多→少）"),
    ("deadline", "办理时限（近→远）"),
]


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class ComplaintFilter(RegionFilterSet):
    """Filters of the staff list, its export and /api/v1/complaints/."""

    q = django_filters.CharFilter(label="关键词", method="filter_q")
    phone = django_filters.CharFilter(label="来电号码", method="filter_phone")
    channel = django_filters.ChoiceFilter(label="受理渠道", choices=Channel.choices, empty_label="全部")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, method="filter_region", empty_label="全部",
        field_name="estate__community__parent",
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", queryset=scoped_communities, method="filter_region", empty_label="全部",
        field_name="estate__community",
    )
    # No dropdown of estates (a province holds 20,000): the name is typed, the id stays for links.
    estate_name = django_filters.CharFilter(label="小区名称", method="filter_estate_name")
    estate = django_filters.NumberFilter(label="小区", field_name="estate_id", widget=forms.HiddenInput)
    category = django_filters.ModelChoiceFilter(
        label="问题类别", queryset=ProblemCategory.objects.filter(is_active=True), method="filter_category",
        empty_label="全部",
    )
    status = django_filters.ChoiceFilter(label="办理状态", choices=ComplaintStatus.choices, empty_label="全部")
    overdue = django_filters.BooleanFilter(label="办理超期", method="filter_overdue", widget=forms.Select(choices=YES_NO))
    feedback_overdue = django_filters.BooleanFilter(
        label="反馈超期", method="filter_feedback_overdue", widget=forms.Select(choices=YES_NO)
    )
    unsatisfied = django_filters.BooleanFilter(
        label="不满意", method="filter_unsatisfied", widget=forms.Select(choices=YES_NO)
    )
    satisfaction = django_filters.ChoiceFilter(label="满意度", choices=Satisfaction.choices, empty_label="全部")
    received_from = django_filters.DateFilter(
        label="受理日期自", field_name="received_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = django_filters.DateFilter(
        label="受理日期至", field_name="received_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    case = django_filters.NumberFilter(label="案件", field_name="case_id", widget=forms.HiddenInput)
    # the lists of reporting's complaint figures (hidden on the page)
    channel_in = CharInFilter(label="受理渠道（多个）", field_name="channel", widget=forms.HiddenInput)
    channel_not_in = CharInFilter(label="其他渠道", field_name="channel", exclude=True, widget=forms.HiddenInput)
    matched = django_filters.BooleanFilter(label="已对应小区", field_name="estate", lookup_expr="isnull", exclude=True,
                                           widget=forms.HiddenInput)
    rating_source = django_filters.ChoiceFilter(label="评价方式", choices=RatingSource.choices, empty_label="全部",
                                                widget=forms.HiddenInput)
    rated_from = django_filters.DateFilter(label="评价日期自", field_name="rated_at", lookup_expr="date__gte",
                                           widget=forms.HiddenInput)
    rated_to = django_filters.DateFilter(label="评价日期至", field_name="rated_at", lookup_expr="date__lte",
                                         widget=forms.HiddenInput)
    replied_from = django_filters.DateFilter(label="反馈日期自", field_name="replied_at", lookup_expr="date__gte",
                                             widget=forms.HiddenInput)
    replied_to = django_filters.DateFilter(label="反馈日期至", field_name="replied_at", lookup_expr="date__lte",
                                           widget=forms.HiddenInput)
    sort = django_filters.ChoiceFilter(label="排序", choices=SORT_CHOICES, method="filter_sort", empty_label="默认")

    class Meta:
        model = Complaint
        fields = ["q", "phone", "channel", "county", "town", "community", "estate_name", "estate", "category", "status", "overdue",
                  "feedback_overdue", "unsatisfied", "satisfaction", "received_from", "received_to", "case", "channel_in",
                  "channel_not_in", "matched", "rating_source", "rated_from", "rated_to", "replied_from", "replied_to", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = getattr(self.request, "user", None)
        # a role that sees numbers masked has no number search (not even a hidden one)
        if not privacy.can_see_pii(self.user):
            self.filters.pop("phone")
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def filter_queryset(self, queryset):
        if "phone" not in self.filters and str(self.data.get("phone") or "").strip():
            raise privacy.PhoneSearchRefused()
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(description__icontains=value) | Q(estate__name__icontains=value) | Q(reference__icontains=value)
            | Q(tracking_code__iexact=value) | Q(raw_estate__icontains=value)
        )

    def filter_estate_name(self, queryset, name, value):
        return queryset.filter(Q(estate__name__icontains=value) | Q(raw_estate__icontains=value))

    def filter_phone(self, queryset, name, value):
        """All complaints of one number, found by its keyed hash (the number itself is encrypted).
        Each search counts against the user's limit and is logged (privacy.phone_search_check)."""
        privacy.phone_search_check(self.user, value)
        try:
            phone = privacy.normalise_phone(value, mobile_only=False)
        except privacy.InvalidPhone:
            return queryset.none()
        return queryset.filter(phone_hash=privacy.phone_hash(phone))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_path__startswith=value.path)

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category=value) | Q(category__parent=value))

    def filter_overdue(self, queryset, name, value):
        overdue = Complaint.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_feedback_overdue(self, queryset, name, value):
        late = Complaint.objects.feedback_overdue().values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_unsatisfied(self, queryset, name, value):
        return queryset.filter(satisfaction="unsatisfied") if value else queryset.exclude(satisfaction="unsatisfied")

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(value, "-id")
