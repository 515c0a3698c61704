"""factory_boy factories shared by every app's tests."""

import factory

from accounts.models import Role, User
from communities.models import Estate, Region, RegionLevel
from enterprises.models import Enterprise
from enterprises.validators import credit_code_check_char


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"区划{n}")
    level = RegionLevel.COUNTY
    code = factory.Sequence(lambda n: f"{350000 + n:06d}")
    parent = None


def make_tree():
    """安徽省 → 黄山市 → 休宁县 → {海阳镇 → 秀阳社区, 城北社区; 万安镇 → 万安社区}, plus 屯溪区 → 昱中街道 → 老街社区."""
    province = RegionFactory(code="340000", name="安徽省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="341000", name="黄山市", level=RegionLevel.CITY, parent=province)
    county = RegionFactory(code="341022", name="休宁县", level=RegionLevel.COUNTY, parent=city)
    haiyang = RegionFactory(code="341022100", name="海阳镇", level=RegionLevel.TOWN, parent=county)
    wanan = RegionFactory(code="341022102", name="万安镇", level=RegionLevel.TOWN, parent=county)
    xiuyang = RegionFactory(code="341022100001", name="秀阳社区", level=RegionLevel.COMMUNITY, parent=haiyang)
    chengbei = RegionFactory(code="341022100002", name="城北社区", level=RegionLevel.COMMUNITY, parent=haiyang)
    wanan_c = RegionFactory(code="341022102001", name="万安社区", level=RegionLevel.COMMUNITY, parent=wanan)
    district = RegionFactory(code="341002", name="屯溪区", level=RegionLevel.COUNTY, parent=city)
    yuzhong = RegionFactory(code="341002001", name="昱中街道", level=RegionLevel.TOWN, parent=district)
    laojie = RegionFactory(code="341002001001", name="老街社区", level=RegionLevel.COMMUNITY, parent=yuzhong)
    return {
        "province": province, "city": city, "county": county, "haiyang": haiyang, "wanan": wanan,
        "xiuyang": xiuyang, "chengbei": chengbei, "wanan_community": wanan_c, "district": district,
        "yuzhong": yuzhong, "laojie": laojie,
    }


def valid_credit_code(n: int) -> str:
    first17 = f"91341022MA2{n:06d}"
    return first17 + credit_code_check_char(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    credit_code = factory.Sequence(valid_credit_code)
    legal_representative = "张三"
    contact_phone = "0559-7512345"


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    name = factory.Sequence(lambda n: f"测试小区{n}")
    community = None
    address = "测试路1号"
    households = 300
    building_count = 6
    enterprise = factory.SubFactory(EnterpriseFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.TOWN
    password = factory.PostGenerationMethodCall("set_password", "Test@2025x")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
