"""Page forms: one ModelForm per register built from the registry's columns. They only parse and
render; the rules live in estate_registers.services."""

from django import forms
from django.db import models

from communities.models import Estate
from communities.regions import county_path
from enterprises.models import Enterprise
from rectification.forms import MultipleFileField

from .models import DisputeKind, FeeDisclosure, FundUse, ServiceContract
from .registry import Register

ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf"
ACCEPT_IMAGES = "image/jpeg,image/png,image/gif,image/webp"


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


def _date_widget(field, **kwargs):
    formfield = field.formfield(**kwargs)
    if isinstance(field, models.DateField) and formfield is not None:
        formfield.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return formfield


def register_form_class(register: Register) -> type[forms.ModelForm]:
    meta = type("Meta", (), {"model": register.model, "fields": list(register.columns),
                             "formfield_callback": staticmethod(_date_widget)})
    attrs = {"Meta": meta}
    if register.model is FundUse:
        attrs["documents"] = MultipleFileField(
            label="业主表决、公示文件（PDF 或照片）", required=False,
            widget=MultipleFileField.widget(attrs={"accept": ACCEPT}),
        )
    if register.model is FeeDisclosure:
        attrs["photo"] = forms.FileField(label="公示照片", required=False,
                                         widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_IMAGES}))
    return type(f"{register.model.__name__}Form", (forms.ModelForm,), attrs)


def register_form(register: Register, *, user, estate: Estate | None, data=None, files=None, instance=None):
    """The register's form; a new row without an estate chosen gets the estate choice (the
    estates the user may record on)."""
    form = register_form_class(register)(data, files, instance=instance)
    if instance is None and estate is None:
        form.fields = {
            "estate_choice": forms.ModelChoiceField(
                label="小区", queryset=Estate.objects.visible_to(user).select_related("community"),
            ),
            **form.fields,
        }
    if register.model is ServiceContract:
        base = estate or (instance.estate if instance is not None else None)
        choices = Enterprise.objects.order_by("name")
        if user.is_enterprise_user:
            choices = choices.filter(pk=user.enterprise_id)
        elif base is not None and county_path(base.community.path):
            choices = choices.filter(estates__community__path__startswith=county_path(base.community.path)).distinct()
        form.fields["enterprise"].queryset = choices
    return _style(form)


class ParkingDisputeForm(forms.Form):
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none())
    kind = forms.ChoiceField(label="纠纷类型", choices=DisputeKind.choices)
    description = forms.CharField(label="情况描述", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.visible_to(user).select_related("community")
        _style(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "审核通过"), ("return", "退回")])
    reason = forms.CharField(label="退回原因", max_length=200, required=False)
