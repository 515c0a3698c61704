class ScopedAdminMixin:
    """The admin goes through the same scoping as pages and the API: a staff user who is not a
    system administrator sees only rows of their subtree."""

    def scoped_queryset(self, request, qs):
        return qs.visible_to(request.user)

    def get_queryset(self, request):
        return self.scoped_queryset(request, super().get_queryset(request))
