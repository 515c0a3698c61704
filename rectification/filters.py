import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from campaigns.models import Campaign, ProblemCategory, SubjectKind
from communities.filters import RegionFilterSet, scoped_communities, scoped_towns

from .models import OPEN_STATES, Case, CaseClue, CaseEvent, CaseState, ClueSource, SupervisionAction, SupervisionKind


def _campaigns(request):
    if request is None:
        return Campaign.objects.none()
    return Campaign.objects.visible_to(request.user)


#: the first letter of a case's top-level category code (A 履约不到位 … G): its statistics column
CATEGORY_LETTER = Substr(Coalesce(F("category__parent__code"), F("category__code")), 1, 1)


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]

SORT_CHOICES = [
    ("-created_at", "最新登记"),
    ("-complainant_count", "投诉人数（多→少）"),
    ("complainant_count", "投诉人数（少→多）"),
    ("-days_overdue", "超期天数（多→少）"),
    ("deadline", "完成时限（近→远）"),
]


class CaseFilter(RegionFilterSet):
    """The ledger's filters, shared by the page, the export and /api/v1/cases/."""

    q = django_filters.CharFilter(label="关键词", method="filter_q")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="estate__community__parent", empty_label="全部"
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", queryset=scoped_communities, field_name="estate__community", empty_label="全部"
    )
    # A province holds 20,000 estates and 4,000 enterprises: no dropdowns of those. Names are
    # typed; the ids stay for links (estate page → its cases) as hidden fields.
    estate_name = django_filters.CharFilter(label="小区名称", field_name="estate__name", lookup_expr="icontains")
    enterprise_name = django_filters.CharFilter(label="物业服务企业", field_name="enterprise__name", lookup_expr="icontains")
    estate = django_filters.NumberFilter(label="小区", field_name="estate_id", widget=forms.HiddenInput)
    # the enterprise's own cases (责任主体 the enterprise), as its credit file and report link them
    enterprise = django_filters.NumberFilter(label="物业服务企业", method="filter_enterprise", widget=forms.HiddenInput)
    subject_kind = django_filters.ChoiceFilter(label="责任主体", choices=SubjectKind.choices, empty_label="全部")
    category = django_filters.ModelChoiceFilter(
        label="问题类别", queryset=ProblemCategory.objects.filter(is_active=True), method="filter_category", empty_label="全部"
    )
    source = django_filters.ChoiceFilter(label="来源", choices=ClueSource.choices, empty_label="全部")
    state = django_filters.ChoiceFilter(label="整改状态", choices=CaseState.choices, empty_label="全部")
    overdue = django_filters.BooleanFilter(label="超期", method="filter_overdue", widget=forms.Select(choices=YES_NO))
    supervised = django_filters.BooleanFilter(label="已督办", method="filter_supervised", widget=forms.Select(choices=YES_NO))
    supervision_kind = django_filters.ChoiceFilter(
        label="督办方式", choices=SupervisionKind.choices, method="filter_supervision_kind", empty_label="全部"
    )
    campaign = django_filters.ModelChoiceFilter(label="专项行动", queryset=_campaigns, empty_label="全部")
    created_from = django_filters.DateFilter(
        label="登记日期自", field_name="created_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = django_filters.DateFilter(
        label="登记日期至", field_name="created_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    # the filters the figures of reporting.figures open their lists with (hidden on the page)
    state_in = CharInFilter(label="整改状态（多个）", field_name="state", widget=forms.HiddenInput)
    closed_from = django_filters.DateFilter(label="销号日期自", field_name="closed_at", lookup_expr="date__gte",
                                            widget=forms.HiddenInput)
    closed_to = django_filters.DateFilter(label="销号日期至", field_name="closed_at", lookup_expr="date__lte",
                                          widget=forms.HiddenInput)
    deadline_to = django_filters.DateFilter(label="完成时限至", field_name="deadline", lookup_expr="lte",
                                            widget=forms.HiddenInput)
    on_time = django_filters.BooleanFilter(label="按时销号", method="filter_on_time", widget=forms.HiddenInput)
    category_group = django_filters.CharFilter(label="问题类别组", method="filter_category_group", widget=forms.HiddenInput)
    transition = django_filters.CharFilter(label="办理操作", method="filter_transition", widget=forms.HiddenInput)
    transition_from = django_filters.DateFilter(label="操作日期自", method="filter_window", widget=forms.HiddenInput)
    transition_to = django_filters.DateFilter(label="操作日期至", method="filter_window", widget=forms.HiddenInput)
    supervised_from = django_filters.DateFilter(label="督办日期自", method="filter_window", widget=forms.HiddenInput)
    supervised_to = django_filters.DateFilter(label="督办日期至", method="filter_window", widget=forms.HiddenInput)
    sort = django_filters.ChoiceFilter(label="排序", choices=SORT_CHOICES, method="filter_sort", empty_label="默认")

    class Meta:
        model = Case
        fields = ["q", "county", "town", "community", "estate", "enterprise", "subject_kind", "category", "source", "state", "overdue",
                  "supervised", "supervision_kind", "campaign", "created_from", "created_to", "state_in", "closed_from",
                  "closed_to", "deadline_to", "on_time", "category_group", "transition", "transition_from", "transition_to",
                  "supervised_from", "supervised_to", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(estate__name__icontains=value))


    def filter_enterprise(self, queryset, name, value):
        return queryset.of_enterprises().filter(enterprise_id=value)

    def filter_category(self, queryset, name, value):
        # A top-level category (A 履约不到位) includes its sub-categories (A1 … A4).
        return queryset.filter(Q(category=value) | Q(category__parent=value))

    def filter_overdue(self, queryset, name, value):
        # on the queryset itself, not `pk IN (all overdue cases)`: lets the deadline index serve it
        if value:
            return queryset.overdue()
        return queryset.exclude(state__in=OPEN_STATES, deadline__lt=timezone.localdate())

    def filter_on_time(self, queryset, name, value):
        on_time = Q(state=CaseState.CLOSED, deadline__isnull=False, closed_at__date__lte=F("deadline"))
        return queryset.filter(on_time) if value else queryset.exclude(on_time)

    def filter_category_group(self, queryset, name, value):
        # the letters of a statistics column ("G,H,J"): a case counts under its top category's letter
        letters = [letter.strip() for letter in value.split(",") if letter.strip()]
        return queryset.annotate(category_letter=CATEGORY_LETTER).filter(category_letter__in=letters)

    def filter_supervised(self, queryset, name, value):
        exists = Exists(SupervisionAction.objects.filter(case_id=OuterRef("pk")))
        return queryset.filter(exists) if value else queryset.exclude(exists)

    def _window(self, prefix: str, field: str) -> dict:
        data = self.form.cleaned_data
        window = {}
        if data.get(f"{prefix}_from"):
            window[f"{field}__gte"] = data[f"{prefix}_from"]
        if data.get(f"{prefix}_to"):
            window[f"{field}__lte"] = data[f"{prefix}_to"]
        return window

    def filter_supervision_kind(self, queryset, name, value):
        # with supervised_from/_to: supervised in that kind within the window (one action, both)
        window = self._window("supervised", "occurred_on")
        return queryset.filter(Exists(SupervisionAction.objects.filter(case_id=OuterRef("pk"), kind=value, **window)))

    def filter_transition(self, queryset, name, value):
        # a case that went through `value` (confirm, not_true, …) within transition_from/_to
        window = self._window("transition", "at__date")
        return queryset.filter(Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), transition=value, **window)))

    def filter_window(self, queryset, name, value):
        # the windows are applied by the filter they qualify (transition, supervision_kind)
        prefix = name.rsplit("_", 1)[0]
        data = self.form.cleaned_data
        if prefix == "supervised" and not data.get("supervision_kind"):
            window = self._window("supervised", "occurred_on")
            return queryset.filter(Exists(SupervisionAction.objects.filter(case_id=OuterRef("pk"), **window)))
        return queryset

    def filter_sort(self, queryset, name, value):
        if value == "-days_overdue":
            return queryset.with_overdue().order_by("-is_overdue_db", "deadline", "-id")
        return queryset.order_by(value, "-id")


class ClueFilter(RegionFilterSet):
    """The clue list's filters (/rectification/clues/ and /api/v1/clues/): the lists of 收到线索 and
    its sources in the monthly figures."""

    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="case__estate__community__parent", empty_label="全部"
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", queryset=scoped_communities, field_name="case__estate__community", empty_label="全部"
    )
    source = django_filters.ChoiceFilter(label="来源", choices=ClueSource.choices, empty_label="全部")
    source_in = CharInFilter(label="来源（多个）", field_name="source", widget=forms.HiddenInput)
    received_from = django_filters.DateFilter(
        label="收到日期自", field_name="received_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = django_filters.DateFilter(
        label="收到日期至", field_name="received_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    case = django_filters.NumberFilter(label="案件", field_name="case_id", widget=forms.HiddenInput)

    class Meta:
        model = CaseClue
        fields = ["county", "town", "community", "source", "source_in", "received_from", "received_to", "case"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
