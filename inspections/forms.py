"""Page forms. They only parse and render; the rules live in inspections.services."""

from django import forms

from campaigns.models import Campaign
from communities.models import Region, RegionLevel

from .models import InspectionRound


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


class RoundForm(forms.Form):
    name = forms.CharField(label="轮次名称", max_length=200)
    region = forms.ModelChoiceField(label="排查范围", queryset=Region.objects.none(), empty_label="请选择县/区或镇/街道")
    campaign = forms.ModelChoiceField(label="专项整治行动", queryset=Campaign.objects.none(), required=False, empty_label="不关联")
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user).filter(level__in=(RegionLevel.COUNTY, RegionLevel.TOWN))
        if not user.sees_everything and user.region_id:
            regions = regions.filter(path__startswith=user.region.path)
        self.fields["region"].queryset = regions.select_related("parent")
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user)
        _style(self)


class DrawForm(forms.Form):
    region = forms.ModelChoiceField(label="抽查范围", queryset=Region.objects.none(), empty_label="请选择")
    sample_size = forms.IntegerField(label="抽取小区数", min_value=1, max_value=200, initial=5)
    seed = forms.IntegerField(label="随机种子（留空自动生成）", required=False, min_value=0)
    exclude_recent = forms.BooleanField(label="排除近 30 天内已检查的小区", required=False, initial=True)
    round = forms.ModelChoiceField(label="关联排查轮次", queryset=InspectionRound.objects.none(), required=False,
                                   empty_label="不关联（按全部整治内容检查）")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user).filter(
            level__in=(RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.COMMUNITY)
        )
        self.fields["region"].queryset = regions.select_related("parent")
        self.fields["round"].queryset = InspectionRound.objects.visible_to(user)
        _style(self)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 排查台账（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class VisitForm(forms.Form):
    """The header of a visit (inspections.services.visit_save); the checklist lines and photos are
    read by the view from their per-line fields. A blank date means today; lengths are the service's."""

    visited_on = forms.DateField(label="排查日期", required=False, input_formats=["%Y-%m-%d"],
                                 error_messages={"invalid": "排查日期格式不正确，请使用 YYYY-MM-DD。"})
    inspectors = forms.CharField(label="排查人员", required=False)
    enterprise_representative = forms.CharField(label="企业代表", required=False)
    note = forms.CharField(label="总体情况", required=False)
