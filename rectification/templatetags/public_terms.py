"""{% public_terms %}: the campaign's terms explained where residents read them; `|term_meaning`
for an <abbr title> on a state label."""

from django import template

from rectification.terms import PUBLIC_TERMS, term_meaning

register = template.Library()

register.filter("term_meaning", term_meaning)


@register.inclusion_tag("rectification/_public_terms.html")
def public_terms():
    return {"terms": PUBLIC_TERMS}
