"""The roles of the product's users (the rows of accounts.capabilities' table)."""

from django.db import models


class Role(models.TextChoices):
    COUNTY_GROUP = "county_group", "县专班"
    COUNTY_OFFICE = "county_office", "县专班办公室"
    TOWN = "town", "镇/街道"
    COMMUNITY = "community", "社区"
    ENTERPRISE = "enterprise", "物业服务企业"
    CITY = "city", "市住建局（只读）"
    DISCIPLINE = "discipline", "纪检监察（只读）"
    SYSADMIN = "sysadmin", "系统管理员"
