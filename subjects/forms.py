"""Forms parse input for subjects.services; the choices offered are the user's scope only."""

from django import forms

from campaigns.models import SubjectKind
from communities.models import Estate, Region, RegionLevel

from .models import CommitteeKind, Developer, GovernmentUnit, MemberRole, OwnersCommittee, UnitKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}


def _styled(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class EstateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.community.parent.name} · {obj.community.name} · {obj.name}"


class EstatesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.community.parent.name} · {obj.community.name} · {obj.name}"


class DeveloperForm(forms.Form):
    name = forms.CharField(label="建设单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, min_length=1)
    region = forms.ModelChoiceField(label="登记单位", queryset=Region.objects.none(), empty_label="请选择")
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWN]).order_by("path")
        _styled(self)


class ProjectForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=200)
    estates = EstatesChoiceField(label="涉及小区", queryset=Estate.objects.none(), required=False)
    delivered_on = forms.DateField(label="交付日期", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estates"].queryset = Estate.objects.visible_to(user).select_related("community__parent")
        _styled(self)


class ObligationForm(forms.Form):
    is_done = forms.BooleanField(label="已履行", required=False)
    done_on = forms.DateField(label="履行日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", max_length=300, required=False)


class CommitteeForm(forms.Form):
    estate = EstateChoiceField(label="小区", queryset=Estate.objects.none(), empty_label="请选择小区")
    kind = forms.ChoiceField(label="类型", choices=CommitteeKind.choices)
    term_start = forms.DateField(label="本届任期开始", widget=DATE)
    term_end = forms.DateField(label="本届任期届满", widget=DATE)
    filed_on = forms.DateField(label="备案日期", required=False, widget=DATE)
    has_seal = forms.BooleanField(label="已刻制、备案印章", required=False)
    has_party_organisation = forms.BooleanField(label="已建立党组织", required=False)

    def __init__(self, *args, user, fixed_estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.visible_to(user).select_related("community__parent")
        if fixed_estate is not None:
            self.fields["estate"].disabled = True
            self.fields["estate"].initial = fixed_estate.pk
        _styled(self)

    def clean(self):
        data = super().clean()
        if data.get("term_start") and data.get("term_end") and data["term_end"] < data["term_start"]:
            self.add_error("term_end", "任期届满日期不能早于开始日期。")
        return data


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="职务", choices=MemberRole.choices, initial=MemberRole.MEMBER)
    term_start = forms.DateField(label="任期开始（默认本届）", required=False, widget=DATE)
    term_end = forms.DateField(label="任期届满（默认本届）", required=False, widget=DATE)
    is_party_member = forms.BooleanField(label="中共党员", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(label="终止资格原因", max_length=300)


class GovernmentUnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=UnitKind.choices)
    region = forms.ModelChoiceField(label="所属行政区划", queryset=Region.objects.none(), empty_label="请选择")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.COMMUNITY]).order_by("path")
        _styled(self)


class CaseSubjectForm(forms.Form):
    subject_kind = forms.ChoiceField(label="责任主体类型", choices=SubjectKind.choices)
    developer = forms.ModelChoiceField(label="建设单位", queryset=Developer.objects.none(), required=False,
                                       empty_label="（责任主体为建设单位时选择）")
    owners_committee = forms.ModelChoiceField(label="业委会（物管会）", queryset=OwnersCommittee.objects.none(),
                                              required=False, empty_label="（责任主体为业委会、物管会时选择）")
    government_unit = forms.ModelChoiceField(label="政府部门、镇（街道）", queryset=GovernmentUnit.objects.none(),
                                             required=False, empty_label="（责任主体为政府部门、镇街时选择）")
    note = forms.CharField(label="变更原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["developer"].queryset = Developer.objects.visible_to(user)
        self.fields["owners_committee"].queryset = (OwnersCommittee.objects.visible_to(user)
                                                    .filter(estate_id=case.estate_id).select_related("estate"))
        self.fields["government_unit"].queryset = GovernmentUnit.objects.visible_to(user)
        _styled(self)
