"""`{% load capabilities %}` … `{% if request.user|can:"case.close" %}`: a template shows a button
or a link only to those whose role the table (accounts.capabilities) lets through."""

from django import template

from accounts import capabilities

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    return capabilities.can(user, capability)
