from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from communities.models import RegionLevel
from core.audit import Event

from .capabilities import can
from .roles import Role

COUNTY_ROLES = frozenset({Role.COUNTY_GROUP, Role.COUNTY_OFFICE})
REGION_ROLES = frozenset(set(Role) - {Role.ENTERPRISE, Role.SYSADMIN})
#: the region levels (communities.RegionLevel values) a role's region may have
ROLE_REGION_LEVELS = {
    Role.COUNTY_GROUP: {3},
    Role.COUNTY_OFFICE: {3},
    Role.TOWN: {4},
    Role.COMMUNITY: {5},
    Role.CITY: {1, 2},
}


class User(AbstractUser):
    """A staff user: one role, and one region (its subtree is what the user sees) or one
    enterprise (its estates are what the user sees)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.COMMUNITY)
    region = models.ForeignKey(
        "communities.Region",
        verbose_name="所属行政区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="所属物业服务企业",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    #: set by a reset (a one-time password): every page leads to the password change until changed
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_enterprise_role_has_enterprise",
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
                violation_error_message="物业服务企业用户必须关联企业。",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()

        if self.role == Role.ENTERPRISE:
            if not self.enterprise_id:
                raise ValidationError({"enterprise": "物业服务企业用户必须关联企业。"})
            if self.region_id:
                raise ValidationError({"region": "物业服务企业用户按企业确定范围，不能再指定行政区划。"})
            return
        if self.role == Role.SYSADMIN:
            return
        if not self.region_id:
            raise ValidationError({"region": f"“{self.get_role_display()}”用户必须指定所属行政区划。"})
        expected = ROLE_REGION_LEVELS.get(self.role)
        if expected and self.region.level not in expected:
            labels = "、".join(RegionLevel(level).label for level in sorted(expected))
            raise ValidationError({"region": f"“{self.get_role_display()}”用户的所属行政区划应为{labels}级。"})

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role == Role.SYSADMIN

    @property
    def is_enterprise_user(self) -> bool:
        return self.role == Role.ENTERPRISE and not self.is_superuser

    @property
    def is_read_only(self) -> bool:
        """A role that may write nothing (市住建局, 纪检监察): the table's "data.write"."""
        return not self.can("data.write")

    def can(self, capability: str) -> bool:
        """accounts.capabilities.can for this user (templates, and core's API permission class,
        which may not import accounts)."""
        return can(self, capability)

    @property
    def scope_label(self) -> str:
        if self.is_enterprise_user and self.enterprise_id:
            return self.enterprise.name
        if self.region_id:
            return self.region.full_name
        return "全部" if self.sees_everything else "未分配"


class UserEventKind(models.TextChoices):
    CREATED = "created", "新增用户"
    REASSIGNED = "reassigned", "调整角色或范围"
    DISABLED = "disabled", "停用"
    ENABLED = "enabled", "启用"
    PASSWORD_RESET = "password_reset", "重置密码"
    PASSWORD_CHANGED = "password_changed", "修改密码"


class UserEvent(Event):
    """One change of a user account (who changed it, when, what, from → to), written only by
    accounts.services; the county's and the city's user pages show them."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=30, choices=UserEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = "用户变更记录"
        verbose_name_plural = "用户变更记录"
        indexes = [models.Index(fields=["user", "at"], name="user_event_user_at")]

    def __str__(self):
        return f"{self.user_id} {self.get_kind_display()}"
