"""bs_field renders plain selects without a template per option: the HTML must be what Django's
own widget templates give, attribute for attribute."""

import pytest
from django import forms
from django.test.html import parse_html

from core.templatetags.ui import bs_field


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 <b>&\"引号\""), ("b", "乙")])
    grouped = forms.ChoiceField(
        choices=[("", "请选择"), ("镇 & 街道", [("1", "海阳镇"), ("2", "万安镇")]), ("社区", [("3", "秀阳社区")])],
        required=False,
    )
    off = forms.ChoiceField(choices=[("x", "X")], disabled=True, help_text="说明")
    yes_no = forms.NullBooleanField(widget=forms.NullBooleanSelect)
    styled = forms.ChoiceField(choices=[("1", "一")], widget=forms.Select(attrs={"class": "wide", "data-x": "1"}))


def django_html(field):
    widget = field.field.widget
    css = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{css} form-select form-select-sm".strip()})


@pytest.mark.parametrize("data", [None, {"plain": "a", "grouped": "2", "yes_no": "true", "styled": "1"},
                                  {"plain": "bad", "grouped": "3", "yes_no": "false"}])
@pytest.mark.parametrize("name", ["plain", "grouped", "off", "yes_no", "styled"])
def test_fast_select_is_djangos_select(name, data):
    form = Sample(data)
    if data:
        form.is_valid()  # errors add aria-invalid
    field = form[name]
    assert parse_html(str(bs_field(field))) == parse_html(str(django_html(field)))


@pytest.mark.django_db
def test_the_ledger_town_choice_is_djangos_select(rf, tree, county_user):
    from rectification.filters import CaseFilter

    request = rf.get("/", {"town": str(tree["haiyang"].pk)})
    request.user = county_user
    field = CaseFilter(request.GET, request=request).form["town"]
    html = str(bs_field(field))
    assert parse_html(html) == parse_html(str(django_html(field)))
    assert f'<option value="{tree["haiyang"].pk}" selected>海阳镇</option>' in html
