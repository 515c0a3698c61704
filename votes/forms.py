"""Forms parse input into the typed arguments of the services; the rules are the services'."""

from django import forms

from enterprises.models import Enterprise

from .models import CONVENED_BY_COMMUNITY
from .rules import MatterKind

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class OwnerUnitForm(forms.Form):
    unit = forms.CharField(label="房号", max_length=60, widget=forms.TextInput(_TEXT | {"placeholder": "如 3栋2单元501"}))
    owner_names = forms.CharField(label="业主姓名", max_length=200, help_text="共有人用“、”分隔，一户计一票",
                                  widget=forms.TextInput(_TEXT))
    area = forms.DecimalField(label="专有部分面积（㎡）", max_digits=10, decimal_places=2, min_value=0.01,
                              widget=forms.NumberInput(_TEXT | {"step": "0.01"}))
    phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(_TEXT))


class CommitteeChoiceField(forms.ModelChoiceField):
    """A current committee named with its estate and term, e.g. 海阳花园业主委员会（任期 2023-07-01 至 2028-06-30）."""

    def label_from_instance(self, obj):
        if obj.term_start and obj.term_end:
            term = f"任期 {obj.term_start:%Y-%m-%d} 至 {obj.term_end:%Y-%m-%d}"
        else:
            term = "任期未登记"
        return f"{obj.estate.name}{obj.get_kind_display()}（{term}）"


class VoteForm(forms.Form):
    estate = forms.ModelChoiceField(label="小区", queryset=None, widget=forms.Select(_SELECT))
    # the estate's committee is checked by the service (votes.services.vote_create): the choices
    # are every current committee the user sees, whatever estate is picked above
    committee = CommitteeChoiceField(
        label="组织方", queryset=None, required=False, empty_label=CONVENED_BY_COMMUNITY,
        help_text="由业委会（物管会）组织的，选择所选小区的现任业委会（物管会），由您代为录入。",
        error_messages={"invalid_choice": "所选业委会（物管会）不存在、已换届或不在您的管辖范围内，请重新选择组织方。"},
        widget=forms.Select(_SELECT),
    )
    title = forms.CharField(label="表决名称", max_length=200, widget=forms.TextInput(_TEXT))
    closes_at = forms.DateTimeField(label="投票截止时间", widget=forms.DateTimeInput(
        _TEXT | {"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, estates, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["committee"].queryset = committees


class MatterForm(forms.Form):
    kind = forms.ChoiceField(label="事项类型", choices=MatterKind.choices, widget=forms.Select(_SELECT))
    title = forms.CharField(label="表决事项", max_length=300, required=False, widget=forms.TextInput(_TEXT))
    new_enterprise = forms.ModelChoiceField(label="拟选聘/接管的物业服务企业", required=False,
                                            queryset=Enterprise.objects.order_by("name"), widget=forms.Select(_SELECT))
    new_manager_name = forms.CharField(label="其他管理人（自行管理时）", max_length=100, required=False,
                                       widget=forms.TextInput(_TEXT))
    handover_deadline = forms.DateField(label="拟定退出移交日期（解聘）", required=False,
                                        widget=forms.DateInput(_TEXT | {"type": "date"}))
    notice_days = forms.IntegerField(label="解聘提前通知天数", initial=60, min_value=0, max_value=365,
                                     help_text="民法典第九百四十六条：提前六十日书面通知，合同另有约定的从其约定",
                                     widget=forms.NumberInput(_TEXT))
    renew_until = forms.DateField(label="续聘合同期限至（续聘）", required=False,
                                  widget=forms.DateInput(_TEXT | {"type": "date"}))


class CodeForm(forms.Form):
    code = forms.CharField(label="投票码", max_length=30, widget=forms.TextInput(
        {"class": "form-control form-control-lg text-center font-monospace", "autocomplete": "off",
         "autocapitalize": "characters", "placeholder": "XXXXX-XXXXX"}))


def choices_from_post(post, matters) -> dict:
    """The ballot's answers as {matter id: choice}, from fields named m<id>."""
    return {str(m.pk): post.get(f"m{m.pk}", "") for m in matters if post.get(f"m{m.pk}")}
