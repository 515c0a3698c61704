"""How the 12345 platforms word things, and how we read it: column headings (synonyms per field),
platform categories mapped to the taxonomy, and keywords for vague categories. The defaults are
here in code (loaded as rows without a county by a data migration); a county's own rows, written
in the admin or by the import's category chooser, override them (complaints.models.HotlineVocabulary)."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from campaigns.models import ProblemCategory

from .models import HotlineVocabulary, VocabularyKind

#: field → the headings the platforms use for it (the first is ours, written in our own exports)
DEFAULT_COLUMNS = {
    "reference": ("工单编号", "工单号", "受理编号", "工单流水号", "流水号", "编号", "诉求编号", "件号"),
    "received_at": ("来电时间", "受理时间", "登记时间", "来电日期", "诉求时间", "派单时间", "接收时间", "创建时间"),
    "name": ("来电人", "来电人姓名", "诉求人", "诉求人姓名", "姓名", "联系人", "反映人"),
    "phone": ("联系电话", "来电号码", "电话", "手机号码", "联系方式", "来电电话", "手机号"),
    "description": ("诉求内容", "来电内容", "问题描述", "反映内容", "工单内容", "诉求描述", "事项描述"),
    "region": ("所属区域", "区域", "所属镇街", "镇街", "所属乡镇", "乡镇街道", "属地"),
    "estate": ("小区名称", "小区", "涉及小区", "所在小区", "诉求地址小区", "小区(楼盘)名称"),
    "category": ("诉求类别", "问题类别", "诉求分类", "诉求类型", "问题分类", "事项分类", "业务类别"),
    "deadline": ("办理时限", "办结时限", "处理时限", "要求办结时间"),
}
FIELD_LABELS = {key: names[0] for key, names in DEFAULT_COLUMNS.items()}

#: usual 12345 platform categories → taxonomy code
DEFAULT_CATEGORIES = {
    "电梯故障": "C1", "电梯维修": "C1", "电梯困人": "C1", "电梯安全": "C1", "电梯问题": "C1",
    "老旧电梯": "C2", "电梯更新": "C2", "电梯改造": "C2",
    "停车管理": "D", "停车难": "D", "停车收费": "D", "车位管理": "D", "车辆管理": "D",
    "公共收益": "B4", "公共收益分配": "B4", "公共收益公示": "B3", "收支公示": "B3",
    "电梯广告": "B2", "公共部位经营": "B2", "占道经营": "B2",
    "维修资金": "E", "专项维修资金": "E", "住宅专项维修资金": "E",
    "物业收费": "F3", "物业费": "F3", "乱收费": "F3", "收费标准": "F3",
    "消防通道": "A3", "消防安全": "A3", "消防设施": "A3", "安全防范": "A3", "治安秩序": "A3",
    "物业服务": "A1", "物业服务质量": "A1", "环境卫生": "A1", "卫生保洁": "A1", "垃圾清运": "A1",
    "绿化养护": "A1", "设施维修": "A1", "房屋漏水": "A1", "公共设施维修": "A1", "二次供水": "A1",
    "信息公开": "A2", "物业公示": "A2",
    "服务态度": "F4",
    "物业服务用房": "F1", "物业用房": "F1",
    "物业退出": "F2", "拒不退出": "F2", "物业交接": "A4", "资料移交": "A4",
    "前期物业": "F5",
}

#: keywords of a vague category (物业管理, 其他 …) or of the complaint's text → taxonomy code, in
#: the order they are tried: the more specific first
DEFAULT_KEYWORDS = [
    ("维修资金", "E"), ("公共收益", "B4"), ("广告", "B2"), ("消防通道", "A3"), ("消防", "A3"),
    ("电梯", "C1"), ("停车", "D"), ("车位", "D"), ("物业费", "F3"), ("收费", "F3"), ("涨价", "F3"),
    ("拒不退出", "F2"), ("不退出", "F2"), ("态度", "F4"), ("垃圾", "A1"), ("保洁", "A1"), ("卫生", "A1"),
    ("漏水", "A1"), ("绿化", "A1"), ("路灯", "A1"), ("门禁", "A3"), ("监控", "A3"), ("公示", "A2"),
]

_PUNCTUATION = re.compile(r"[\s·•・.,，。、\-—_()（）【】\[\]:：/\\*＊]+")


def text_key(value) -> str:
    """How platform words are compared: full-width → half-width, lower case, no spaces or
    punctuation ('电梯 故障', '电梯故障：' and '电梯故障*' are one)."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", str(value or "")).lower())


@dataclass
class Vocabulary:
    """The words of one county (its own over the defaults), loaded once per import."""

    columns: dict = field(default_factory=dict)      # heading key → field
    categories: dict = field(default_factory=dict)   # platform category key → ProblemCategory
    keywords: list = field(default_factory=list)     # [(keyword key, ProblemCategory)]
    taxonomy: dict = field(default_factory=dict)     # our own label / code key → ProblemCategory

    @classmethod
    def for_county(cls, county_id: int | None) -> "Vocabulary":
        vocabulary = cls()
        leaves = {c.pk: c for c in ProblemCategory.objects.filter(is_active=True).exclude(children__is_active=True)}
        for category in leaves.values():
            vocabulary.taxonomy[text_key(category.label)] = category
            vocabulary.taxonomy[text_key(category.code)] = category
        for key, names in DEFAULT_COLUMNS.items():
            for name in names:
                vocabulary.columns[text_key(name)] = key
        keywords = {}
        for row in HotlineVocabulary.objects.for_county(county_id):
            text = text_key(row.text)
            if row.kind == VocabularyKind.COLUMN and row.field in DEFAULT_COLUMNS:
                vocabulary.columns[text] = row.field
            elif row.kind == VocabularyKind.CATEGORY and row.category_id in leaves:
                vocabulary.categories[text] = leaves[row.category_id]
            elif row.kind == VocabularyKind.KEYWORD and row.category_id in leaves:
                keywords.pop(text, None)  # a county's keyword replaces the default, at its own place
                keywords[text] = (row.priority, leaves[row.category_id])
        vocabulary.keywords = [(k, c) for k, (_p, c) in sorted(keywords.items(), key=lambda kv: kv[1][0])]
        return vocabulary

    def field_of(self, heading) -> str | None:
        return self.columns.get(text_key(heading))

    def category_for(self, raw_category: str, description: str = "") -> tuple[ProblemCategory | None, str]:
        """(category, how): the county's or default mapping of the platform's category, our own
        label or code, a keyword of the category, then a keyword of the text; (None, "") when
        nothing says which problem it is."""
        key = text_key(raw_category)
        if key:
            if key in self.categories:
                return self.categories[key], "mapping"
            if key in self.taxonomy:
                return self.taxonomy[key], "taxonomy"
            for keyword, category in self.keywords:
                if keyword in key:
                    return category, "keyword"
        text = text_key(description)
        for keyword, category in self.keywords:
            if keyword in text:
                return category, "text"
        return None, ""


def category_remember(*, county_id: int | None, raw_category: str, category: ProblemCategory, user) -> None:
    """The import's chooser: the county's platform category now means `category`, for this file
    and every later one (the county's working group edits it in the admin)."""
    text = str(raw_category or "").strip()[:100]
    if not text_key(text):
        return
    with transaction.atomic():
        HotlineVocabulary.objects.update_or_create(
            region_id=county_id, kind=VocabularyKind.CATEGORY, text=text,
            defaults={"category": category, "created_by": user},
        )


def load_defaults(vocabulary_model, category_model) -> int:
    """Creates the default rows (no county) that do not exist yet; for the data migration."""
    by_code = dict(category_model.objects.values_list("code", "pk"))
    existing = set(vocabulary_model.objects.filter(region__isnull=True).values_list("kind", "text"))
    rows = []
    for key, names in DEFAULT_COLUMNS.items():
        rows += [vocabulary_model(kind="column", text=name, field=key) for name in names if ("column", name) not in existing]
    rows += [vocabulary_model(kind="category", text=text, category_id=by_code[code])
             for text, code in DEFAULT_CATEGORIES.items() if code in by_code and ("category", text) not in existing]
    rows += [vocabulary_model(kind="keyword", text=text, category_id=by_code[code], priority=index)
             for index, (text, code) in enumerate(DEFAULT_KEYWORDS) if code in by_code and ("keyword", text) not in existing]
    vocabulary_model.objects.bulk_create(rows)
    return len(rows)
