"""The problem taxonomy (整治内容) seeded from the four plans, in the plans' own words.
(code, label, parent code, seed plans, description). Loaded by a data migration; the working
group edits it in the admin afterwards, so the loader never overwrites an existing row."""

X, S, Z, P = "xiuning", "shanxi", "zhongshan", "panjin"

TAXONOMY: list[tuple[str, str, str | None, list[str], str]] = [
    ("A", "物业服务履约不到位", None, [X, S, Z, P], ""),
    ("A1", "未按照合同约定提供服务", "A", [X, S, Z, P],
     "未按照合同约定和物业的使用性质，妥善维修、养护、清洁、绿化和经营管理业主共有部分，基本秩序维护不到位。"),
    ("A2", "未履行信息公开和报告义务", "A", [X, S, Z, P],
     "未按规定将服务事项、负责人员、质量要求、收费项目、收费标准及履行情况等向业主公开，未向业主大会、业主委员会报告。"),
    ("A3", "未按照合同约定提供安全防范、消防、应急防范服务", "A", [X, S, Z, P],
     "未对共用消防设施和疏散通道、安全出口、消防车通道进行维护管理，未及时劝阻占用、堵塞行为。"),
    ("A4", "未履行物业服务企业的移交义务", "A", [X, S, Z, P],
     "合同终止后未按期退出，未交还物业服务用房、相关设施和资料，未配合新企业交接。"),
    ("A5", "未及时制止违法装修等行为并向有关部门报告", "A", [P],
     "盘锦市方案（二）1.（5）：未及时制止物业管理区域内违反有关治安、环保、物业装饰装修和使用等方面法律法规规定的行为，"
     "未及时向有关行政管理部门报告。"),
    ("A6", "未制定应急预案、未配备应急物资、未开展应急培训和演练", "A", [Z],
     "钟山县方案 A3：对火灾、治安、公共卫生以及暴雨等极端天气的突发事件未制定应急预案，未配备应急物资，未开展应急培训和演练。"),
    ("A7", "有限空间作业未备案、未落实安全规范操作", "A", [Z],
     "钟山县方案 A3：开展地下管线等有限空间作业的，未及时进行备案并落实持证操作、保护措施等安全规范操作流程。"),
    ("B", "侵占业主公共收益", None, [X, S, Z, P], ""),
    ("B1", "未开设公共收益专门账户", "B", [Z], "物业服务企业、小区业主委员会（物业管理委员会）未开设公共收益专门账户。"),
    ("B2", "擅自利用小区公共部位经营", "B", [X, S, Z, P],
     "未征得业主大会同意，擅自利用共用部位、共用设施设备经营，擅自占用道路或场地经营，擅自利用电梯投放经营性广告。"),
    ("B3", "未公示公共收益收支情况", "B", [X, S, Z, P],
     "未及时将公共收益收支明细在物业服务区域内的醒目位置及智慧物业平台公开公示。"),
    ("B4", "违规侵占小区公共收益", "B", [X, S, Z, P], "侵占公共收益；未按合同约定或业主大会决议分配使用公共收益。"),
    ("C", "住宅老旧电梯更新不及时", None, [X, Z], ""),
    ("C1", "未履行电梯安全管理职责", "C", [X, Z], "未对电梯定期维护和检修，故障频发，维修不及时。"),
    ("C2", "电梯更新改造申报不及时", "C", [X, Z], "未及时申报电梯更新改造计划，老旧电梯长期带病运行。"),
    ("C3", "电梯更新改造资金不到位", "C", [Z], "维修资金不足或业主意见不统一，更新改造资金难以筹集。"),
    ("D", "小区停车难", None, [Z], "车辆管理职责未履行，违规停放和抢占车位未及时干预。"),
    ("E", "住宅专项维修资金违规使用或未及时上缴", None, [Z, P], "未按规定使用住宅专项维修资金，违规代收或未交存。"),
    ("F", "其他问题", None, [X, S, Z, P], ""),
    ("F1", "擅自改变物业服务用房用途", "F", [X, S], ""),
    ("F2", "无正当理由拒不退出物业服务项目", "F", [X, S, Z, P], ""),
    ("F3", "擅自提高收费标准", "F", [Z, P],
     "钟山县方案（七）：提高物业服务收费标准；盘锦市方案（二）1.（2）：擅自提高收费标准，增加收费项目。"),
    ("F4", "服务态度恶劣", "F", [Z], "钟山县方案（七）：服务态度恶劣、对业主的合理诉求置之不理或推诿扯皮。"),
    ("F5", "前期物业管理不规范", "F", [Z, P],
     "钟山县方案（七）：前期物业管理服务不规范；盘锦市方案（二）2.：建设单位前期物业招投标、承接查验环节的违法行为。"),
    ("F6", "群众反映强烈的其他物业服务问题", "F", [X, S, Z, P], ""),
    ("F7", "以停水、停电等方式强迫业主交纳物业服务费", "F", [P],
     "盘锦市方案（二）1.（8）：以业主欠交物业服务费为由减少服务内容、降低服务标准；以停水、停电、停气、停热、捆绑收费等方式，"
     "强迫业主交纳物业服务费。"),
    ("F8", "不服从街道（乡镇）、社区监督管理", "F", [P],
     "盘锦市方案（二）1.（10）：与业主或业主委员会关系僵化，不服从物业项目所在街道或社区监督管理，对反映问题不及时整改。"),
    ("F9", "将物业管理业务整体转让给他人", "F", [P],
     "盘锦市方案（二）1.（11）：将一个物业管理区域的全部物业管理业务整体转让给他人。"),
    ("G", "建设单位违法违规行为", None, [P], ""),
    ("G1", "未按规定通过招投标方式选聘前期物业服务企业", "G", [P], ""),
    ("G2", "未按规定办理前期物业管理备案手续", "G", [P], "商品房买卖合同中未含前期物业服务合同约定。"),
    ("G3", "未按规定配置或移交物业服务用房", "G", [P], "或擅自变更物业服务用房位置。"),
    ("G4", "未按规划设计建设公建配套设施、未履行保修义务", "G", [P], ""),
    ("G5", "未按规定进行承接查验并移交资料", "G", [P], ""),
    ("G6", "违规交付房屋或代收住宅专项维修资金", "G", [P], ""),
    ("G7", "违规出售、出租停车位（车库）", "G", [P], ""),
    ("H", "业主委员会（物业管理委员会）违法违规行为", None, [P], ""),
    ("H1", "违反业主大会议事规则、业主大会决议", "H", [P], ""),
    ("H2", "委员不履行职责而未终止其资格", "H", [P], ""),
    ("H3", "委员资格应终止而未终止", "H", [P], ""),
    ("H4", "未依法签订物业服务合同", "H", [P], ""),
    ("H5", "选举或选聘纠纷半年以上未解决", "H", [P], ""),
    ("H6", "任期届满未及时换届选举", "H", [P], ""),
    ("H7", "届满后未及时移交财务、资料、印章", "H", [P], ""),
    ("J", "政府部门及镇（街道）、社区自查", None, [P], ""),
    ("J1", "监管部门未依法履行物业监管职责", "J", [P], ""),
    ("J2", "镇（街道）、社区未依法推动成立业主大会、业委会、物管会", "J", [P], ""),
    # 盘锦 五（一）: the livelihood items the county government must sort out (民生问题), under J so
    # that they count in the statistics' G column with the other government items
    ("J3", "住宅小区消防设施不完善", "J", [P], "盘锦市方案五（一）：住宅小区消防等设施不完善的民生问题。"),
    ("J4", "住宅小区供电设施不完善", "J", [P], "盘锦市方案五（一）：住宅小区供电等设施不完善的民生问题。"),
    ("J5", "住宅小区供水设施不完善", "J", [P], "盘锦市方案五（一）：住宅小区供水等设施不完善的民生问题。"),
    ("J6", "住宅小区供热设施不完善", "J", [P], "盘锦市方案五（一）：住宅小区供热等设施不完善的民生问题。"),
    ("J7", "住宅小区供气设施不完善", "J", [P], "盘锦市方案五（一）：住宅小区供气等设施不完善的民生问题。"),
    ("J8", "临时用电代替正式用电、备用电源缺失", "J", [P], "盘锦市方案五（一）：临时用电代替正式、备用电源缺失。"),
]

#: the responsible subject (campaigns.models.SubjectKind value) of a top-level category's cases
#: when it is not the property enterprise: 盘锦's 建设单位 and 业委会 layers, and the government
#: units' own checks and the livelihood items the county government must solve (盘锦 五（一）)
DEFAULT_SUBJECTS = {"G": "developer", "H": "committee", "J": "government"}

#: seed_plans corrected after the first load (the loader never overwrites a row): F3–F5 come from
#: 钟山 (七) and 盘锦, not from the 山西 plan
CORRECTED_SOURCES = {code: (plans, description) for code, _label, _parent, plans, description in TAXONOMY
                     if code in {"F3", "F4", "F5"}}


def default_subject_for(code: str) -> str:
    return DEFAULT_SUBJECTS.get(code[:1], "enterprise")


def _has_subject(category_model) -> bool:
    # the 0003 migration's historical model predates default_subject
    return any(f.name == "default_subject" for f in category_model._meta.get_fields())


def load_taxonomy(category_model) -> int:
    """Create the categories that do not exist yet; return how many were created."""
    existing = dict(category_model.objects.values_list("code", "pk"))
    created = 0
    for order, (code, label, parent_code, plans, description) in enumerate(TAXONOMY):
        if code in existing:
            continue
        obj = category_model.objects.create(
            code=code,
            label=label,
            parent_id=existing.get(parent_code) if parent_code else None,
            seed_plans=plans,
            description=description,
            **({"default_subject": default_subject_for(code)} if _has_subject(category_model) else {}),
            sort_order=order * 10,
        )
        existing[code] = obj.pk
        created += 1
    return created
