"""The reporting duties of the four plans (seeded by a data migration; counties edit them in the
admin). Each entry quotes the plan it comes from."""

# code, name, reporter, receiver, period kind, due day, due month offset, lead days, report kind, plan, content
SEED_DUTIES = [
    ("town-monthly", "镇（街道）月度工作进展", "town", "county_office", "month", 27, 0, 3, "", "xiuning",
     "每月27日前，各镇、社区将专项整治工作进展（问题线索摸排、工作进展情况、工作台账、经验做法等）报送县工作专班办公室汇总。"),
    ("community-monthly", "社区月度工作进展", "community", "county_office", "month", 27, 0, 3, "", "xiuning",
     "每月27日前，各镇、社区将专项整治工作进展（问题线索摸排、工作进展情况、工作台账、经验做法等）报送县工作专班办公室汇总。"),
    ("county-monthly", "县专班月度汇总报市住建局", "county", "city_bureau", "month", 30, 0, 3, "county_monthly",
     "xiuning", "每月30日前县专班将相关工作情况按程序报市住建局（2月为当月最后一天）。"),
    ("enterprise-monthly", "物业服务企业月度整改进度", "enterprise", "county_group", "month", 20, 0, 3, "",
     "zhongshan", "各物业服务企业于每月20日前将整改工作进度和成效报送县集中整治工作专班，由专班汇总报送市住房城乡建设局。"),
    ("county-statistics", "排查整治情况统计表及典型案件", "county", "city_bureau", "month", 25, 0, 3, "statistics",
     "panjin", "每月25日前报送专项整治排查整治情况统计表、阶段性工作成果和违法违规典型案件（基本情况、违法事实、处罚依据、处理结果）。"),
    ("county-quarterly", "上季度专项整治工作总结", "county", "city_bureau", "quarter", 5, 1, 5, "quarterly",
     "panjin", "每季度首月5日前，报送上季度专项整治工作总结（工作开展情况、取得成效、存在问题、措施建议）。"),
    ("county-weekly", "每周工作进展调度", "county", "city_bureau", "week", 5, 0, 1, "weekly",
     "shanxi", "各市每周调度所辖县（区）工作进展，汇总工作情况和典型案例。（方案未定具体日，默认每周五）"),
]


#: the monthly chain every county runs (休宁: towns/communities by the 27th, county by the 30th;
#: 钟山: enterprises by the 20th). The 盘锦 statistics (25th) and quarterly summary and the 山西
#: weekly dispatch are seeded switched off: a county following those plans turns them on (or
#: copies them under its region) in the admin, so no county sends the city bureau duplicate files.
ACTIVE_BY_DEFAULT = {"town-monthly", "community-monthly", "county-monthly", "enterprise-monthly"}


def load_duties(duty_model) -> None:
    """Idempotent: creates the general rows that do not exist yet, never changes edited ones."""
    existing = set(duty_model.objects.filter(region__isnull=True).values_list("code", flat=True))
    for code, name, reporter, receiver, kind, day, offset, lead, report_kind, plan, content in SEED_DUTIES:
        if code in existing:
            continue
        duty_model.objects.create(
            code=code, name=name, reporter=reporter, receiver=receiver, period_kind=kind, due_day=day,
            due_month_offset=offset, reminder_lead_days=lead, report_kind=report_kind, seed_plan=plan, content=content,
            is_active=code in ACTIVE_BY_DEFAULT,
        )
