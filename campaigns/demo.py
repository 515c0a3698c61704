from datetime import date

from .models import Campaign, CampaignStage, StageKind

STAGES = [
    (StageKind.MOBILISATION, "动员部署阶段", date(2025, 3, 1), date(2025, 4, 30), "制定实施方案，广泛宣传，收集问题线索，建立问题清单。"),
    (StageKind.CONCENTRATED, "专项整治阶段", date(2025, 4, 1), date(2025, 11, 30), "对问题线索重点核查，推进整改，对进展慢的单位约谈。"),
    (StageKind.CONSOLIDATION, "巩固提高阶段", date(2025, 12, 1), date(2025, 12, 31), "总结整治情况，面向社会通报，完善长效机制。"),
    (StageKind.SUPERVISION, "督导检查（第二年）", date(2026, 1, 1), date(2026, 11, 30), "共性问题纳入2026年全年工作重点，持续督导。"),
    (StageKind.ACCOUNTABILITY, "监督问责（第二年）", date(2026, 12, 1), date(2026, 12, 31), "对整改不到位的单位和企业问责。"),
]


def seed(context: dict) -> None:
    campaign, created = Campaign.objects.get_or_create(
        name="休宁县集中整治物业服务履约不到位、侵占业主公共收益等问题专项行动",
        region=context["county"],
        defaults={
            "start_date": date(2025, 3, 1),
            "end_date": date(2026, 12, 31),
            "description": "开展为期两年的集中整治，2025年12月31日前问题得到有效解决，2年内根本解决。",
        },
    )
    if created:
        CampaignStage.objects.bulk_create(
            CampaignStage(campaign=campaign, kind=kind, title=title, start_date=start, end_date=end, tasks=tasks)
            for kind, title, start, end, tasks in STAGES
        )
    context["campaign"] = campaign
