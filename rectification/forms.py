"""Page forms. They only parse and render; the rules live in rectification.services."""

import re

from django import forms
from django.utils import timezone

from campaigns.models import Campaign, ProblemCategory
from communities.models import Estate, Region, RegionLevel
from core.errors import InvalidInput
from core.workdays import add_working_days

from .models import Case, ClueSource, SupervisionKind, SupervisionLevel, TransferTarget
from .states import (
    CASE,
    CHOICE,
    DATE,
    FILES,
    REGION,
    TEXT,
    VERSION_INVALID,
    WORKDAYS_MAX,
    WORKDAYS_NOT_A_NUMBER,
    WORKDAYS_OUT_OF_RANGE,
    Transition,
    TransitionField,
    verifying_unit_options,
)


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


class TransitionForm(forms.Form):
    """The page form of one transition, built from its fields in rectification.states. It parses
    (dates, choices, the working-day alternative to a date); which values are required and the
    rules on them are checked by the service, after scope, role and state."""

    spec: Transition

    def clean(self):
        cleaned = super().clean()
        for f in self.spec.value_fields:
            workdays = cleaned.get(f"{f.name}_workdays")
            if f.workdays and not cleaned.get(f.name) and workdays:
                cleaned[f.name] = add_working_days(timezone.localdate(), workdays)
        return cleaned

    @property
    def values(self) -> dict:
        """The parsed values, as the service's keyword arguments."""
        return {f.name: self.cleaned_data.get(f.name) for f in self.spec.value_fields if f.name in self.fields}

    @property
    def uploads(self) -> list:
        return self.cleaned_data.get("files") or []

    @property
    def first_error(self) -> str:
        return next(message for messages in self.errors.values() for message in messages)


def _text_field(f: TransitionField, case, user) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": 2}) if f.multiline else None
    return forms.CharField(max_length=f.max_length, widget=widget)


def _date_field(f: TransitionField, case, user) -> forms.Field:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def _choice_field(f: TransitionField, case, user) -> forms.Field:
    return forms.ChoiceField(choices=f.choices)


def _region_field(f: TransitionField, case, user) -> forms.Field:
    if case is None:  # the ledger's bulk form: any town or community in scope; the service checks each case
        regions = Region.objects.visible_to(user).filter(level__gte=RegionLevel.TOWN).select_related("parent")
        return forms.ModelChoiceField(queryset=regions, empty_label="请选择镇/街道或社区")
    return forms.ModelChoiceField(queryset=verifying_unit_options(case, user), empty_label="请选择")


#: a case number as printed on the ledger and the case page (Case.number: ZG<year>-<serial>); the
#: dash may come full-width from a Chinese input method
CASE_NUMBER = re.compile(r"^ZG(\d{4})[-－—]0*(\d{1,12})$")
CASE_NUMBER_INVALID = "案件编号格式不正确，请填写台账上的案件编号，如 ZG2026-000123。"
CASE_NUMBER_UNKNOWN = "没有这个案件编号，请核对后重新填写。"


class CaseNumberField(forms.CharField):
    """The case a user names by its number (案件编号, as the ledger shows it), not by the database
    id; cleans to the case's id. Whether the user may see that case is the service's check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "填写台账上的案件编号，如 ZG2026-000123")
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "ZG2026-000123")

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        match = CASE_NUMBER.match(re.sub(r"\s+", "", text).upper())
        if match is None:
            raise forms.ValidationError(CASE_NUMBER_INVALID, code="invalid")
        pk = int(match.group(2))
        # the year is part of the number: ZG2025-000123 is not case 123 of 2026
        case = Case.objects.filter(pk=pk).only("pk", "created_at").first() if pk < 2**63 else None
        if case is None or case.number != f"ZG{match.group(1)}-{pk:06d}":
            raise forms.ValidationError(CASE_NUMBER_UNKNOWN, code="unknown")
        return case.pk


def _case_field(f: TransitionField, case, user) -> forms.Field:
    return CaseNumberField()


def _files_field(f: TransitionField, case, user) -> forms.Field:
    return MultipleFileField(widget=MultipleFileInput(attrs={"accept": ACCEPT}))


FORM_FIELDS = {TEXT: _text_field, DATE: _date_field, CHOICE: _choice_field, REGION: _region_field, CASE: _case_field,
               FILES: _files_field}


def workdays_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="或：自今日起工作日数", required=False, min_value=1, max_value=WORKDAYS_MAX,
        help_text="按工作日历（扣除节假日，计入调休上班日）折算完成时限",
        error_messages={"invalid": WORKDAYS_NOT_A_NUMBER, "min_value": WORKDAYS_OUT_OF_RANGE,
                        "max_value": WORKDAYS_OUT_OF_RANGE},
    )


def _transition_form_class(spec: Transition, fields: tuple[TransitionField, ...], case, user) -> type[TransitionForm]:
    form_fields: dict[str, forms.Field] = {}
    for f in fields:
        field = FORM_FIELDS[f.kind](f, case, user)
        # every value is optional to the form: the service says which are missing, after the
        # checks of scope, role and state that come first
        field.required = False
        field.label = f"{f.label}（必填）" if f.required else f.label
        field.error_messages.update({"invalid": f.invalid_message, "invalid_choice": f.invalid_message,
                                     "max_length": f.invalid_message})
        field.widget.attrs["data-required"] = "1" if f.required else ""
        form_fields[f.name] = field
        if f.workdays:
            form_fields[f"{f.name}_workdays"] = workdays_field()
        if f.kind == FILES and spec.needs_evidence:
            field.label += "（必须已有或本次上传）"
    return type(f"{spec.name.title()}Form", (TransitionForm,), {**form_fields, "spec": spec})


def transition_form(spec: Transition, case, user, data=None, files=None) -> TransitionForm:
    """A form with exactly the fields the transition takes (required ones marked)."""
    form_class = _transition_form_class(spec, spec.fields, case, user)
    return _style(form_class(data=data, files=files, prefix=None, auto_id=f"id_{spec.name}_%s"))


def bulk_transition_form(spec: Transition, user, data=None) -> TransitionForm:
    """The ledger's form of a bulk action: the fields the transition writes on each case."""
    form_class = _transition_form_class(spec, tuple(f for f in spec.value_fields if f.saves_to), None, user)
    return _style(form_class(data=data, auto_id=f"id_bulk_{spec.name}_%s"))


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
    kind = forms.ChoiceField(label="督办方式", choices=SupervisionKind.choices,
                             error_messages={"invalid_choice": "未知的督办方式。"})
    occurred_on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"invalid": "日期的日期不正确，请使用 YYYY-MM-DD 格式填写真实存在的日期。"})
    participants = forms.CharField(label="对象/参加人员（约谈、实地督导）", required=False)
    outcome = forms.CharField(label="情况/结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    level = forms.ChoiceField(label="督办级别（挂牌督办）", choices=[("", "—")] + SupervisionLevel.choices, required=False,
                              error_messages={"invalid_choice": "督办级别无效。"})
    deadline = forms.DateField(label="督办/改正时限", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": "督办时限的日期不正确，请使用 YYYY-MM-DD 格式填写真实存在的日期。"})
    decision_number = forms.CharField(label="决定书文号（责令改正、行政处罚）", required=False)
    amount = forms.DecimalField(label="罚款金额（元）", required=False, max_digits=14, decimal_places=2,
                                error_messages={"invalid": "罚款金额须为数字。"})
    basis = forms.CharField(label="依据（行政处罚、黑名单提名）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    transfer_target = forms.ChoiceField(label="移送单位", choices=[("", "—")] + TransferTarget.choices, required=False,
                                        error_messages={"invalid_choice": "移送单位无效。"})
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


def parse_version(raw) -> int | None:
    """The case version a page or client saw (blank: not given)."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(VERSION_INVALID)
    return int(text)


class DocumentTemplateForm(forms.Form):
    """文书模板: renders the county's wording; rectification.documents.document_template_save checks it."""

    issuing_unit = forms.CharField(label="发文单位（文头）", max_length=100)
    number_prefix = forms.CharField(label="文号前缀", max_length=20, help_text="文号为：前缀〔年份〕序号号，例如 休物整通〔2026〕12号")
    title = forms.CharField(label="标题", max_length=200)
    addressee = forms.CharField(label="主送", max_length=200)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}), help_text="每段一行")
    closing = forms.CharField(label="结尾", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    copy_to = forms.CharField(label="抄送", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
