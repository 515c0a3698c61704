from django.contrib.auth.models import Group, Permission

from .models import Role, User

DEMO_PASSWORD = "Demo@2025"

#: username → what the account is, printed by `seed_demo` and `make run`
DEMO_ACCOUNTS = {
    "demo-county": "县专班（休宁县）",
    "demo-office": "县专班办公室（休宁县）",
    "demo-town": "镇干部（海阳镇）",
    "demo-community": "社区干部（海阳镇秀阳社区）",
    "demo-enterprise": "物业服务企业用户",
    "demo-city": "市住建局（黄山市，只读）",
    "demo-discipline": "纪检监察（休宁县，只读）",
    "demo-admin": "系统管理员",
}


def demo_users(context: dict) -> list[tuple[str, Role, object, object]]:
    towns = context["towns"]
    xiuyang = next(c for c in context["communities"] if c.name == "秀阳社区")
    county, city = context["county"], context["city"]
    return [
        ("demo-county", Role.COUNTY_GROUP, county, None),
        ("demo-office", Role.COUNTY_OFFICE, county, None),
        ("demo-town", Role.TOWN, towns["海阳镇"], None),
        ("demo-community", Role.COMMUNITY, xiuyang, None),
        ("demo-enterprise", Role.ENTERPRISE, None, context["enterprises"][0]),
        ("demo-city", Role.CITY, city, None),
        ("demo-discipline", Role.DISCIPLINE, county, None),
        ("demo-admin", Role.SYSADMIN, None, None),
    ]


def seed(context: dict) -> None:
    reference_editors, _ = Group.objects.get_or_create(name="基础数据维护")
    reference_editors.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["campaigns", "communities", "enterprises"])
        | Permission.objects.filter(content_type__app_label="complaints", content_type__model="hotlinevocabulary")
    )
    users = {}
    for username, role, region, enterprise in demo_users(context):
        user = User(
            username=username, first_name=DEMO_ACCOUNTS[username], role=role, region=region, enterprise=enterprise,
            is_staff=role in (Role.COUNTY_GROUP, Role.COUNTY_OFFICE, Role.SYSADMIN),
            is_superuser=role == Role.SYSADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role in (Role.COUNTY_GROUP, Role.COUNTY_OFFICE):
            user.groups.add(reference_editors)
        users[username] = user
    context["users"] = users
