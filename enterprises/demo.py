"""Demo enterprises for `seed_demo`: ~15 with valid 统一社会信用代码."""

from .models import Enterprise
from .validators import credit_code_check_char

NAMES = [
    "休宁县徽府物业服务有限公司", "黄山市海阳物业管理有限公司", "休宁县齐云物业服务有限公司", "安徽松萝物业服务有限公司",
    "黄山市新安物业管理有限公司", "休宁县状元物业服务有限公司", "安徽白岳物业管理有限公司", "休宁县横江物业服务有限公司",
    "黄山市率水物业服务有限公司", "休宁县万安物业管理有限公司", "安徽徽居物业服务有限公司", "休宁县安居物业服务有限公司",
    "黄山市祥和物业管理有限公司", "休宁县锦城物业服务有限公司", "黄山市屯溪老街物业服务有限公司",
]
LEGAL_REPRESENTATIVES = ["汪建国", "程立新", "吴海峰", "胡志明", "黄德顺", "方卫东", "金晓燕", "朱永强", "江丽华", "叶国平",
                         "戴文彬", "许春梅", "姚振华", "孙立群", "潘志远"]


def demo_credit_code(index: int) -> str:
    first17 = f"91341022MA2{index * 7919 + 100003:06d}"[:17]
    return first17 + credit_code_check_char(first17)


def seed(context: dict) -> None:
    rng = context["rng"]
    enterprises = []
    for index, name in enumerate(NAMES):
        enterprise, _ = Enterprise.objects.get_or_create(
            credit_code=demo_credit_code(index),
            defaults={
                "name": name,
                "legal_representative": LEGAL_REPRESENTATIVES[index],
                "contact_person": LEGAL_REPRESENTATIVES[(index + 3) % len(LEGAL_REPRESENTATIVES)],
                "contact_phone": f"0559-75{rng.randint(10000, 99999)}",
                "address": f"安徽省黄山市休宁县海阳镇{rng.randint(1, 200)}号",
            },
        )
        enterprises.append(enterprise)
    context["enterprises"] = enterprises


def seed_regions(context: dict) -> None:
    """Runs after the region tree exists: records where each enterprise is registered."""
    county = context["county"]
    Enterprise.objects.filter(pk__in=[e.pk for e in context["enterprises"]], registered_region__isnull=True).update(
        registered_region=county
    )
