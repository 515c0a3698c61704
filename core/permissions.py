from rest_framework.permissions import SAFE_METHODS, BasePermission

#: what a write needs when the view names no capability: any account that is not read-only
DEFAULT_WRITE_CAPABILITY = "data.write"


class ScopedPermission(BasePermission):
    """Logged-in users only; a write needs the capability the view declares (accounts.capabilities):
    `action_capabilities` maps a viewset action to one, else `capability`, else "data.write" (any
    role that is not read-only). The user model answers `user.can(...)`, so core does not import
    accounts. Object scoping is not done here: every view's get_queryset() starts from
    Model.objects.visible_to(user), so out-of-scope is a 404."""

    message = "您没有权限执行此操作。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        if not user.can(DEFAULT_WRITE_CAPABILITY):
            return False
        return user.can(self.capability_for(view))

    @staticmethod
    def capability_for(view) -> str:
        action = getattr(view, "action", None)
        by_action = getattr(view, "action_capabilities", None) or {}
        if action in by_action:
            return by_action[action]
        return getattr(view, "capability", None) or DEFAULT_WRITE_CAPABILITY
