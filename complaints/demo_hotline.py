"""A 12345 export of last month for the demo county, shaped like the platforms' own (title row,
their column names, dates written four ways, a 合计 footer, platform categories — one of them
mapped to nothing yet —, estate names with 小区 and building numbers, an estate the register does
not know, an anonymous caller, one row with a broken date), written to demo/12345-<yyyymm>.xlsx
by `seed_demo` so that a new user can import it from 投诉受理 → 导入 12345 工单 and see the whole
path: preview, category chooser, valid rows, error rows, unmatched estates."""

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from communities.models import Estate

HEADERS = ["受理编号", "受理时间", "诉求人", "联系方式", "问题描述", "所属镇街", "所在小区", "诉求类型", "承办单位"]
CATEGORIES = [
    ("电梯故障", "{b} 号楼电梯停运两天，老人上下楼困难"), ("停车管理", "地面车位被外来车辆长期占用"),
    ("消防通道", "消防通道堆满杂物，物业不清理"), ("物业收费", "物业费未经业主大会同意上涨"),
    ("公共收益", "电梯广告收入从未公示"), ("维修资金", "维修资金使用没有经过业主表决"),
    ("物业管理", "楼道垃圾好几天没人清理"), ("环境卫生", "小区绿化带杂草丛生"),
    ("文明养犬", "小区内遛狗不牵绳，物业不管"),
]


def demo_file_path(today: date | None = None) -> Path:
    today = today or timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    return Path(settings.DEMO_FILES_DIR) / f"12345-{last_month:%Y%m}.xlsx"


def _when(moment: datetime, form: int):
    local = timezone.localtime(moment).replace(tzinfo=None)
    return [local, f"{local:%Y/%m/%d %H:%M}", f"{local.year}年{local.month}月{local.day}日 {local.hour}时{local.minute}分",
            f"{local:%Y年%m月%d日%H:%M}"][form % 4]


def build(rng: random.Random, estates: list, today: date) -> Workbook:
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - timedelta(days=1)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工单明细"
    sheet.append([f"12345政务服务便民热线工单导出（{first:%Y年%m月}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append([f"导出时间：{today:%Y-%m-%d}"])
    sheet.append(HEADERS)
    rows = 0
    for index in range(36):
        estate = rng.choice(estates)
        platform_category, text = CATEGORIES[index % len(CATEGORIES)]
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        moment = datetime(day.year, day.month, day.day, rng.randint(8, 21), rng.randint(0, 59),
                          tzinfo=timezone.get_current_timezone())
        name = estate.name
        if index % 7 == 3:
            name = f"{estate.name}小区"
        elif index % 7 == 5:
            name = f"{estate.name} {rng.randint(1, 12)}栋"
        caller, phone = rng.choice(["王先生", "李女士", "张先生", "刘女士"]), f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}"
        if index == 11:
            caller, phone = "匿名", ""
        received = _when(moment, index)
        if index == 17:
            received = f"{day.year}年{day.month}月32日"  # a broken date, as a clerk might type it
        sheet.append([f"SX{first:%Y%m}{index + 1:05d}", received, caller, phone, text.format(b=rng.randint(1, 12)),
                      estate.community.parent.name, name, platform_category, "县住建局"])
        rows += 1
    unknown_day = first + timedelta(days=3)
    sheet.append([f"SX{first:%Y%m}{rows + 1:05d}", f"{unknown_day:%Y/%m/%d} 10:20", "赵先生", "13912345678",
                  "小区路灯坏了一个月", "海阳镇", "海阳嘉园", "环境卫生", "县住建局"])
    rows += 1
    sheet.append(["合计", None, None, None, f"共 {rows} 件"])
    sheet.append(["制表人：12345 热线管理中心"])
    return workbook


def seed(context: dict) -> None:
    estates = list(Estate.objects.filter(community__path__startswith=context["county"].path, enterprise__isnull=False)
                   .select_related("community__parent").order_by("pk")[:30])
    if not estates:
        return
    path = demo_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    build(random.Random(context["rng"].random()), estates, timezone.localdate()).save(path)
    context["hotline_file"] = path
