"""The one scoping mechanism. Every scoped model's manager is built from ScopedQuerySet and
declares how a row reaches the region tree (`region_path_lookup`) and, where enterprise users
may see it, the enterprise (`enterprise_lookup`). Pages, API, exports and admin all start from
`Model.objects.visible_to(user)`."""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    #: lookup of the materialised region path the row belongs to, e.g. "community__path"
    region_path_lookup: str = ""
    #: lookup of the enterprise id an enterprise user must match, or None if they see none
    enterprise_lookup: str | None = None

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.is_enterprise_user:
            if not self.enterprise_lookup or not user.enterprise_id:
                return self.none()
            return self.filter(**{self.enterprise_lookup: user.enterprise_id})
        if not user.region_id:
            return self.none()
        return self.filter(**{f"{self.region_path_lookup}__startswith": user.region.path})


class ScopedThroughQuerySet(models.QuerySet):
    """Rows that belong to a scoped row (a case's files, a visit's photos) are visible exactly
    when that row is: `scope_through` is the lookup of the parent, e.g. "case" or "line__visit"."""

    scope_through: str = ""

    def visible_to(self, user):
        parent = self.model
        for part in self.scope_through.split("__"):
            parent = parent._meta.get_field(part).related_model
        return self.filter(**{f"{self.scope_through}__in": parent.objects.visible_to(user)})
