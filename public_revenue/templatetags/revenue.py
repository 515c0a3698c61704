"""The public-revenue pages' template filters. `money` is the shared one of core (thousands
separators, two decimals), registered here too so `{% load revenue %}` keeps working."""

from django import template

from core.templatetags.ui import money

register = template.Library()
register.filter("money", money)
