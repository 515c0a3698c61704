"""Template helpers shared by every app's pages."""

from django import forms, template

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
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})
