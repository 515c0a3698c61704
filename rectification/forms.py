"""Page forms. They only parse and render; the rules live in rectification.services."""

from django import forms

from campaigns.models import Campaign, ProblemCategory
from communities import regions
from communities.models import Estate, Region

from .models import ClueSource, SupervisionKind, SupervisionLevel, TransferTarget, VerificationResult
from .states import FIELD_LABELS, Transition


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf"


def _style(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def transition_form(spec: Transition, case, user, data=None, files=None) -> forms.Form:
    """A form with exactly the fields the transition takes (required ones marked)."""
    fields: dict[str, forms.Field] = {}
    for name in spec.required + spec.optional:
        required = name in spec.required
        label = FIELD_LABELS.get(name, name)
        if name == "deadline":
            field = forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
            fields[name] = field
            fields["deadline_workdays"] = forms.IntegerField(
                label="或：自今日起工作日数", required=False, min_value=1, max_value=365,
                help_text="按工作日历（扣除节假日，计入调休上班日）折算完成时限",
            )
            continue
        if name == "verification_result":
            allowed = spec.allowed_values.get(name, VerificationResult.values)
            field = forms.ChoiceField(label=label, choices=[(v, VerificationResult(v).label) for v in allowed], required=False)
        elif name == "verifying_unit":
            units = Region.objects.visible_to(user).filter(
                path__in=regions.ancestors(case.region_path), level__gte=4
            )
            field = forms.ModelChoiceField(label=label, queryset=units, required=False, empty_label="请选择")
        elif name in ("reason", "note", "measures", "verification_note"):
            field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
        elif name == "duplicate_of":
            field = forms.IntegerField(label=label, required=False)
        else:
            field = forms.CharField(label=label, required=False, max_length=100)
        field.widget.attrs["data-required"] = "1" if required else ""
        if required:
            field.label = f"{label}（必填）"
        fields[name] = field
    if spec.accepts_files or spec.needs_evidence:
        fields["files"] = MultipleFileField(
            label="佐证材料（照片或 PDF，可多选）" + ("（必须已有或本次上传）" if spec.needs_evidence else ""),
            required=False, widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        )
    form_class = type(f"{spec.name.title()}Form", (forms.Form,), fields)
    return _style(form_class(data=data, files=files, prefix=None, auto_id=f"id_{spec.name}_%s"))


class CaseCreateForm(forms.Form):
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none(), empty_label="请选择")
    category = forms.ModelChoiceField(label="问题类别", queryset=ProblemCategory.objects.filter(is_active=True, parent__isnull=False))
    campaign = forms.ModelChoiceField(label="专项整治行动", queryset=Campaign.objects.none(), required=False)
    source = forms.ChoiceField(label="来源", choices=ClueSource.choices)
    reference = forms.CharField(label="来源编号/说明", required=False, max_length=200)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}))
    complainant_count = forms.IntegerField(label="投诉人数", min_value=0, max_value=10000, required=False)
    is_corruption_clue = forms.BooleanField(label="涉及腐败问题线索", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.visible_to(user).select_related("community")
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).filter(is_active=True)
        _style(self)


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(label="督办方式", choices=SupervisionKind.choices)
    occurred_on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label="对象/参加人员（约谈、实地督导）", required=False)
    outcome = forms.CharField(label="情况/结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    level = forms.ChoiceField(label="督办级别（挂牌督办）", choices=[("", "—")] + SupervisionLevel.choices, required=False)
    deadline = forms.DateField(label="督办/改正时限", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    decision_number = forms.CharField(label="决定书文号（责令改正、行政处罚）", required=False)
    amount = forms.DecimalField(label="罚款金额（元）", required=False, max_digits=14, decimal_places=2)
    basis = forms.CharField(label="依据（行政处罚、黑名单提名）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    transfer_target = forms.ChoiceField(label="移送单位", choices=[("", "—")] + TransferTarget.choices, required=False)
    minutes_file = forms.FileField(label="约谈记录/文书", required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    receipt_file = forms.FileField(label="移送回执", required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class TypicalCaseForm(forms.Form):
    title = forms.CharField(label="案例标题", max_length=200)
    basic_facts = forms.CharField(label="基本案情", widget=forms.Textarea(attrs={"rows": 2}))
    violation = forms.CharField(label="违法违规情形", widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    handling_result = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))
    is_published = forms.BooleanField(label="通报曝光（公开）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class EstatePlanForm(forms.Form):
    title = forms.CharField(label="方案名称", max_length=200)
    content = forms.CharField(label="方案内容", widget=forms.Textarea(attrs={"rows": 8}))
    cases = forms.ModelMultipleChoiceField(label="涉及案件", queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cases_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases_queryset
        self.fields["title"].widget.attrs["class"] = "form-control"
        self.fields["content"].widget.attrs["class"] = "form-control"
