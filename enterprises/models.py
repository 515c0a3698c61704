from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.scoping import ScopedQuerySet

from .validators import validate_credit_code


class EnterpriseQuerySet(ScopedQuerySet):
    region_path_lookup = "registered_region__path"
    enterprise_lookup = "id"

    def visible_to(self, user):
        """A region user sees the enterprises registered in its subtree or serving an estate
        there; an enterprise user sees itself."""
        if user is None or not user.is_authenticated or user.sees_everything or user.is_enterprise_user:
            return super().visible_to(user)
        if not user.region_id:
            return self.none()
        from communities.models import Estate

        path = user.region.path
        serves_here = Estate.objects.filter(enterprise_id=OuterRef("pk"), community__path__startswith=path)
        return self.filter(Q(registered_region__path__startswith=path) | Exists(serves_here))


class Enterprise(models.Model):
    """物业服务企业."""

    name = models.CharField("企业名称", max_length=100)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": "该统一社会信用代码已登记。"},
    )
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("注册地址", max_length=200, blank=True)
    registered_region = models.ForeignKey(
        "communities.Region",
        verbose_name="注册地（行政区划）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_enterprises",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "物业服务企业"
        verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self):
        return self.name
