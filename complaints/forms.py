"""Page forms. They only parse and render; the rules live in complaints.services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import ProblemCategory
from campaigns.selectors import leaf_categories
from communities.models import Estate
from rectification.forms import CaseNumberField, MultipleFileField, MultipleFileInput, _style

from . import services
from .models import Channel, ReplyMethod, Satisfaction

MAX_ESTATE_CHOICES = 300
PHOTO_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.label} · {obj.label}" if obj.parent_id else obj.label


class LeafCategoryField(CategoryChoiceField):
    """The public form's category: choices and lookup from the cached leaf categories
    (complaints.services.leaf_category_fields); the database only for an id the cache does not
    know (a category created within the cache's timeout, or a wrong id)."""

    def cache_choices(self):
        self.choices = [("", self.empty_label)] + [
            (pk, f"{f['parent_label']} · {f['label']}" if f["parent_id"] else f["label"])
            for pk, f in services.leaf_category_fields().items()
        ]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            pk = int(str(value).strip())
            if not 0 < pk < 2**63:
                raise ValueError
        except ValueError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value}) from None
        category = services.leaf_category_cached(pk) or leaf_categories().filter(pk=pk).first()
        if category is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return category


def estate_label(estate) -> str:
    """An estate as the public form lists it (the select and its JSON search say the same)."""
    return f"{estate.name}（{estate.community.parent.name} {estate.community.name}）"


class EstateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return estate_label(obj)


def _photos_field():
    return MultipleFileField(
        label="照片（最多 5 张）", required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "multiple": True}),
    )


class PublicComplaintForm(forms.Form):
    estate = EstateChoiceField(label="小区", queryset=Estate.objects.none(), empty_label="请先查找并选择小区",
                               error_messages={"required": "请选择小区。", "invalid_choice": "请选择列表中的小区。"})
    category = LeafCategoryField(label="问题类别", queryset=ProblemCategory.objects.none(), empty_label="请选择问题类别",
                                 error_messages={"required": "请选择问题类别。", "invalid_choice": "问题类别无效。"})
    description = forms.CharField(label="问题描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                                  error_messages={"required": "请描述您反映的问题。", "max_length": "问题描述最多 2000 字。"})
    photos = _photos_field()
    name = forms.CharField(label="姓名（选填）", max_length=50, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    anonymous = forms.BooleanField(label="匿名投诉（不留手机号，只能凭查询码查询）", required=False)
    captcha = forms.CharField(label="验证题", max_length=4, error_messages={"required": "请回答验证题。"},
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    via = forms.CharField(required=False, widget=forms.HiddenInput)
    #: the honeypot (abuse.honeypot_check): off screen and out of the tab order, a person leaves it empty
    website = forms.CharField(label="网址（请勿填写）", required=False, max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args, estates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates if estates is not None else Estate.objects.none()
        self.fields["category"].cache_choices()  # its queryset stays none(): see LeafCategoryField
        _style(self)

    def clean(self):
        data = super().clean()
        if not data.get("anonymous") and not (data.get("phone") or "").strip():
            self.add_error("phone", "请填写手机号码，或勾选匿名投诉。")
        return data


class StaffIntakeForm(forms.Form):
    channel = forms.ChoiceField(label="受理渠道", choices=Channel.choices)
    reference = forms.CharField(label="渠道编号", max_length=64, required=False,
                                help_text="如 12345 工单编号、信访件编号；同一渠道不能重复")
    received_at = forms.DateTimeField(label="受理时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    estate = EstateChoiceField(label="小区", queryset=Estate.objects.none(), empty_label="请选择小区")
    category = CategoryChoiceField(label="问题类别", queryset=ProblemCategory.objects.none(), empty_label="请选择问题类别")
    description = forms.CharField(label="诉求内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    complainant_name = forms.CharField(label="投诉人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    is_anonymous = forms.BooleanField(label="匿名", required=False)
    deadline = forms.DateField(label="办理时限", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="不填则按渠道规定的工作日数计算")
    photos = _photos_field()

    def __init__(self, *args, user=None, estate_query="", **kwargs):
        kwargs.setdefault("initial", {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
        super().__init__(*args, **kwargs)
        estates = Estate.objects.visible_to(user).select_related("community__parent").order_by("community__path", "name")
        if not self.is_bound:
            # only the estates matching the typed name are offered (a province holds 20,000)
            estates = estates.filter(name__icontains=estate_query) if estate_query else estates
            estates = Estate.objects.filter(pk__in=list(estates.values_list("pk", flat=True)[:MAX_ESTATE_CHOICES]))
            estates = estates.select_related("community__parent").order_by("community__path", "name")
        self.fields["estate"].queryset = estates
        self.fields["category"].queryset = leaf_categories()
        _style(self)


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复内容（告知投诉人的办理结果）", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    method = forms.ChoiceField(label="反馈方式", choices=ReplyMethod.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReturnCallForm(forms.Form):
    satisfaction = forms.ChoiceField(label="回访满意度", choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="回访记录（不满意时必填）", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重新办理理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MoveForm(forms.Form):
    to_case = CaseNumberField(label="目标案件编号")
    reason = forms.CharField(label="理由", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class SplitForm(forms.Form):
    category = CategoryChoiceField(label="新案件问题类别（不选则不变）", queryset=ProblemCategory.objects.none(),
                                   required=False, empty_label="不变")
    reason = forms.CharField(label="理由", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = leaf_categories()
        _style(self)


class TrackForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=12, error_messages={"required": "请填写查询码。"})
    last4 = forms.CharField(label="手机号后四位（匿名投诉不填）", max_length=4, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label="您对办理结果是否满意", choices=Satisfaction.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "请选择满意度。"})
    comment = forms.CharField(label="评价意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="12345 工单导出文件（.xlsx、.xls 或 .csv）", widget=forms.ClearableFileInput(attrs={
        "accept": ".xlsx,.xls,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                  "application/vnd.ms-excel,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
