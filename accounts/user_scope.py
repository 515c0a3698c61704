"""Whom a user may run (新增、停用、调整、重置密码): the one rule for the user pages, the services
and the admin. A manager holds "user.manage" (accounts.capabilities) and runs only the users
strictly below its own region — the county its towns', communities' and enterprises' users,
the city its counties' too — and never gives a role at or above its own level: a county cannot
make another county user, a city user, a discipline user or a system administrator. Enterprise
users belong to an enterprise the manager sees (registered in its region or serving an estate
there). The system administrator (and a superuser) runs everyone but system administrators."""

from django.db.models import Q

from communities.models import RegionLevel

from .capabilities import can
from .models import ROLE_REGION_LEVELS, User
from .roles import Role

#: the roles a manager may give, highest first (a role is given only below the manager's level)
ASSIGNABLE_ROLES = (Role.COUNTY_GROUP, Role.COUNTY_OFFICE, Role.TOWN, Role.COMMUNITY, Role.ENTERPRISE)
#: what only the system administrator gives
SYSADMIN_ONLY_ROLES = (Role.CITY, Role.DISCIPLINE)


def _level(actor) -> int:
    return actor.region.level if actor.region_id else RegionLevel.COMMUNITY + 1


def roles_assignable_by(actor) -> list[str]:
    """The roles `actor` may give, in Role order."""
    if actor is None or not actor.is_authenticated or not can(actor, "user.manage"):
        return []
    if actor.sees_everything:
        return [r for r in Role if r != Role.SYSADMIN]
    if not actor.region_id or actor.is_enterprise_user:
        return []
    level = _level(actor)
    return [r for r in ASSIGNABLE_ROLES if r == Role.ENTERPRISE or min(ROLE_REGION_LEVELS[r]) > level]


def regions_assignable_by(actor):
    """The regions `actor` may place a user in: its subtree below its own region."""
    region_model = User._meta.get_field("region").related_model
    regions = region_model.objects.visible_to(actor).filter(level__gte=RegionLevel.CITY)
    if not actor.sees_everything:
        regions = regions.filter(level__gt=_level(actor))
    return regions.select_related("parent").order_by("path")


def enterprises_assignable_by(actor):
    # the model through the FK: enterprises sits above accounts in the layers
    enterprise_model = User._meta.get_field("enterprise").related_model
    return enterprise_model.objects.visible_to(actor).order_by("name")


def users_managed_by(actor):
    """The users `actor` runs (its user list, the admin's user list, every user service)."""
    roles = roles_assignable_by(actor)
    if not roles:
        return User.objects.none()
    users = User.objects.filter(role__in=roles).exclude(pk=actor.pk)
    if actor.sees_everything:
        return users if actor.is_superuser else users.filter(is_superuser=False)
    path = actor.region.path
    below = Q(region__path__startswith=path) & ~Q(region_id=actor.region_id)
    serving = (Q(enterprise__registered_region__path__startswith=path)
               | Q(enterprise__estates__community__path__startswith=path))
    enterprise_ids = User.objects.filter(Q(role=Role.ENTERPRISE) & serving).values("pk")
    return users.filter(is_superuser=False).filter(below | Q(pk__in=enterprise_ids))


def assignment_problem(actor, *, role: str, region, enterprise) -> str | None:
    """The Chinese reason `actor` may not give this role and scope, or None."""
    if role not in roles_assignable_by(actor):
        label = Role(role).label if role in Role.values else role
        return f"您不能设置“{label}”角色：只能设置本级以下的角色。"
    if role == Role.ENTERPRISE:
        if enterprise is None:
            return "物业服务企业用户必须选择所属企业。"
        if not enterprises_assignable_by(actor).filter(pk=enterprise.pk).exists():
            return "该物业服务企业不在本辖区。"
        return None
    if region is None:
        return f"“{Role(role).label}”用户必须选择所属行政区划。"
    if role in ROLE_REGION_LEVELS and region.level not in ROLE_REGION_LEVELS[role]:
        labels = "、".join(RegionLevel(level).label for level in sorted(ROLE_REGION_LEVELS[role]))
        return f"“{Role(role).label}”用户的所属行政区划应为{labels}级。"
    if not actor.sees_everything and not (region.path.startswith(actor.region.path) and region.pk != actor.region_id):
        return f"“{region.full_name}”不在本辖区。"
    return None
