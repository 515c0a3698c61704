from .filters import EstateFilter
from .models import Estate, EstateAlias
from .names import EstateIndex


def estate_list(*, user, filter_data=None, request=None):
    """The estates a user may see, filtered; returns the FilterSet (its .qs is the rows)."""
    queryset = Estate.objects.visible_to(user).with_regions()
    return EstateFilter(filter_data, queryset=queryset, request=request)


ESTATE_EXPORT_HEADERS = [
    "序号", "所属镇/街道", "社区", "小区名称", "地址", "楼栋数", "户数", "电梯数量", "最早电梯投用年份",
    "充电端口数", "管理方式", "业主组织", "任期届满", "小区党组织", "物业服务企业", "合同开始", "合同结束",
    "服务等级", "合同备案号",
]


def estate_export_rows(queryset):
    for index, e in enumerate(queryset.iterator(chunk_size=1000), start=1):
        yield [
            index, e.community.parent.name, e.community.name, e.name, e.address, e.building_count, e.households,
            e.elevator_count, e.oldest_elevator_year, e.ev_charging_ports, e.get_management_type_display(),
            e.get_owners_body_status_display(), e.owners_body_term_end, "已建立" if e.has_party_organisation else "未建立",
            e.enterprise.name if e.enterprise_id else "", e.contract_start, e.contract_end,
            e.get_service_level_display(), e.contract_filing_number,
        ]


def estate_index_for(queryset) -> EstateIndex:
    """The estates of a queryset with their aliases, indexed for matching names (communities.names)."""
    estates = list(queryset.select_related("community__parent"))
    aliases = EstateAlias.objects.filter(estate__in=queryset.values("pk")).values_list("estate_id", "key")
    return EstateIndex.build(estates, aliases)
