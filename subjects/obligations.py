"""The seven obligations of a developer (建设单位) in the 盘锦 plan (二）2.(1)–(7), kept per project as
a checklist. Each item names the taxonomy category (campaigns.taxonomy G1–G7) a breach is booked
under."""

from django.db import models


class Obligation(models.TextChoices):
    TENDER = "tender", "通过招投标方式选聘前期物业服务企业"
    FILING = "filing", "办理前期物业管理备案手续，商品房买卖合同含前期物业服务合同约定"
    SERVICE_ROOM = "service_room", "按规定配置并移交物业服务用房"
    FACILITIES = "facilities", "按规划设计建设公建配套设施，履行保修期内房屋保修义务"
    HANDOVER = "handover", "物业交付前进行承接查验并移交相关资料"
    FUND = "fund", "业主交存住宅专项维修资金后交付房屋，不违规代收维修资金"
    PARKING = "parking", "按规定出售、出租停车位（车库）"


#: obligation → taxonomy category code of its breach
CATEGORY_OF = {
    Obligation.TENDER: "G1",
    Obligation.FILING: "G2",
    Obligation.SERVICE_ROOM: "G3",
    Obligation.FACILITIES: "G4",
    Obligation.HANDOVER: "G5",
    Obligation.FUND: "G6",
    Obligation.PARKING: "G7",
}
