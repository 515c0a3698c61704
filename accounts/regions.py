"""The users whose region is above (or is) a region path: who is told about what happens there."""

from collections.abc import Iterable

from communities import regions

from .models import User


def users_over(path: str, *, roles: Iterable[str]):
    """Active users of `roles` whose region is the region at `path` or one above it."""
    return User.objects.filter(role__in=list(roles), region__path__in=regions.ancestors(path), is_active=True)
