from rest_framework.permissions import SAFE_METHODS, BasePermission


class ScopedPermission(BasePermission):
    """Logged-in users only; read-only roles may not write. Each view may narrow writes further
    with `write_roles` (a set of accounts.Role values). Object scoping is not done here: every
    view's get_queryset() starts from Model.objects.visible_to(user), so out-of-scope is a 404."""

    message = "您没有权限执行此操作。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        if user.is_read_only:
            return False
        write_roles = getattr(view, "write_roles", None)
        return write_roles is None or user.is_superuser or user.role in write_roles
