"""Forms parse, services decide. A page's form turns the posted strings into typed values (a date,
a Decimal, an id); the service then checks presence, scope, role and state and records its event.
`service_values(form)` is the one bridge between them."""

from django import forms

from .errors import InvalidInput


def service_values(form: forms.Form) -> dict:
    """The form's parsed values, as the service's keyword arguments.

    A value that is present but wrong (a malformed date, a non-number, an unknown choice) raises
    InvalidInput with the field's Chinese message. A value left blank is passed as None (a blank
    text as "") so that the service, which knows what its action needs, raises MissingField for it
    — the page and a direct caller then get the same message."""
    form.is_valid()
    wrong = [error for errors in form.errors.as_data().values() for error in errors if error.code != "required"]
    if wrong:
        raise InvalidInput(wrong[0].messages[0])
    return {name: form.cleaned_data.get(name) for name in form.fields}
