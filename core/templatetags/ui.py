"""Template helpers shared by every app's pages."""

from decimal import Decimal, InvalidOperation

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def bs_field(field, size="sm"):
    """Renders a bound form field's widget with Bootstrap's class for its kind."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = f"form-select form-select-{size}"
    else:
        css = f"form-control form-control-{size}"
    existing = widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip()}
    if type(widget) in FAST_SELECTS:
        return select_html(field, attrs)
    return field.as_widget(attrs=attrs)


#: plain selects render through select_html: Django renders each <option> with a template, ~0.5 ms
#: apiece, so a province-wide user's 1,100 towns cost half a second per page
FAST_SELECTS = (forms.Select, forms.NullBooleanSelect)


def select_html(field, attrs):
    """The HTML Django's select.html / select_option.html templates give (same attributes, same
    escaping, same choice of the selected option: see tests/core/test_ui.py), one string."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    final = widget.build_attrs(widget.attrs, attrs)
    multiple = widget.allow_multiple_selected
    if multiple:
        final["multiple"] = True
    # a list of strings (Select), or one string (NullBooleanSelect: Django's `in` is then a substring test)
    selected = widget.format_value(field.value())
    parts = [format_html('<select name="{}"{}>', field.html_name, flatatt(final))]
    found = False

    def option(value, label):
        nonlocal found
        value = "" if value is None else str(value)
        chosen = (not found or multiple) and value in selected
        found = found or chosen
        return f'<option value="{escape(value)}"{" selected" if chosen else ""}>{escape(label)}</option>'

    for value, label in widget.choices:
        if isinstance(label, (list, tuple)):
            parts.append(format_html('<optgroup label="{}">', value))
            parts.extend(option(sub_value, sub_label) for sub_value, sub_label in label)
            parts.append("</optgroup>")
        else:
            parts.append(option(value, label))
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped


@register.filter
def money(value) -> str:
    """An amount of money as people read it: thousands separators and exactly two decimals
    ("1,234,567.50"). Decimal in, text out (no float on the way; SQLite returns sums computed in
    SQL unquantized); a blank is 0.00 and what is not a number is shown as it came."""
    if value is None or value == "":
        return "0.00"
    try:
        amount = Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f}"
