"""Who may do what: the one role × capability table, as data. Services call `require`, views and
the API's permission class call `can`, templates use `{% if request.user|can:"case.close" %}` so
that a button is shown only to those the service will let through.

A capability is named `<entity>.<action>`. What a user may see (row scoping) is not here: it is
each model's `visible_to(user)`. A superuser holds every capability except those that act as the
user's own unit or enterprise (OWN_UNIT_CAPABILITIES), which only the role's row grants."""

from core.errors import PermissionDenied

from .roles import Role

#: capability → what it allows (Chinese, for refusal messages)
CAPABILITIES: dict[str, str] = {
    "data.write": "写入数据（非只读账号）",
    # rectification: cases, one capability per transition of rectification.states.TRANSITIONS
    "case.open": "登记案件线索",
    "case.assign": "分派核查单位",
    "case.start_verification": "开始核查",
    "case.confirm": "核查属实",
    "case.not_true": "核查不属实",
    "case.progress": "更新整改进展",
    "case.request_closure": "申请销号",
    "case.close": "销号",
    "case.return": "退回整改",
    "case.reopen": "重新打开（回头看）",
    "case.reverify": "重新核查",
    "case.withdraw": "撤销案件",
    "case.set_deadline": "设定完成时限",
    "case.bulk": "批量办理案件",
    "case.supervise": "登记督办、解除挂牌督办",
    "case.mark_typical": "选定典型案例",
    "plan.edit": "编制一小区一方案",
    "plan.approve": "审定、公开方案",
    # complaints
    "complaint.handle": "登记、办理、反馈、回访投诉",
    "complaint.view_personal": "查看投诉人完整信息",
    "import.12345": "导入12345工单",
    # inspections
    "round.manage": "发起排查轮次、编辑检查清单",
    "inspection.record": "录入、导入排查记录",
    "self_check.record": "录入企业自查记录",
    "spot_check.draw": "组织四不两直抽查",
    "spot_check.record": "录入四不两直抽查记录",
    "spot_check.view_in_advance": "事先查看四不两直抽取结果",
    # enterprises: credit, red and black lists, exits
    "credit.record": "登记、公开、撤销信用记录",
    "credit.export": "导出信用平台推送数据",
    "credit.view_own": "查看本企业认定并提出异议",
    "evaluation.manage": "发起、决定、公布红黑榜评定，移出红黑榜",
    "objection.read": "查看异议",
    "objection.answer": "答复异议",
    "exit.manage": "登记退出、移交、诉讼、报告市场监管",
    "grade.reassess": "重新核定服务等级",
    # public revenue
    "revenue.write": "登记公共收益信息",
    "revenue.review": "审阅公共收益公示",
    # issue 17 part B: estate registers (maintenance fund, lifts, parking, contracts and fees)
    "register.write": "登记小区专项台账（维修资金、电梯、停车、合同与收费）",
    "register.review": "审核小区专项台账",
    # reporting
    "report.submit_unit": "填报本单位月度工作进展",
    "report.submit_enterprise": "填报本企业月度整改进度",
    "report.review_unit": "审核镇、社区月度报告",
    "report.review_enterprise": "审核物业服务企业月度报告",
    "report.oversee": "查看各单位、各企业的报送情况",
    "report.build": "生成汇总报表",
    "report.statistics": "查看统计表",
    "report.county_figures": "查看、下载全县汇总数字",
    "dashboard.view": "查看挂图作战",
    # subjects (issue 17 part A): a case's responsible subject, developers, committees
    "case.set_subject": "变更案件责任主体",
    "developer.edit": "登记建设单位、开发项目及其义务履行情况",
    "committee.edit": "登记业委会（物管会）及其委员",
    # issue 19 part B (accounts19): registers from Excel, the county running its users
    "register.import": "从 Excel 导入小区、物业服务企业名册",
    "user.manage": "新增、停用、调整本辖区下级用户，重置其密码",
    # votes (issue 18): owners register and owners' decisions under 民法典 第二百七十八条
    "owners.manage": "登记、导入业主名册",
    "owners.view_personal": "查看业主完整姓名和电话",
    "vote.manage": "组织业主表决（创建、开始、发放投票码、结束计票）",
    "vote.enter_paper": "录入纸质表决票",
    # issue 19 part C: printable documents (文书)
    "document.issue": "出具整改通知书、督办函、约谈通知书、责令限期改正通知书",
    "document.template_edit": "修改本县文书模板（发文单位、文号前缀、正文）",
}

#: acting as the user's own town/community or enterprise: a superuser has these only by its role
OWN_UNIT_CAPABILITIES = frozenset({"report.submit_unit", "report.submit_enterprise", "credit.view_own",
                                   # issue 19 part C: the templates edited are the user's own county's
                                   "document.template_edit"})

_WRITE = {"data.write", "case.open"}
_CASE_WORK = {"case.start_verification", "case.confirm", "case.not_true", "case.progress", "case.request_closure"}
_COUNTY = frozenset(
    _WRITE | _CASE_WORK | {
        "case.assign", "case.close", "case.return", "case.reopen", "case.reverify", "case.withdraw",
        "case.set_deadline", "case.bulk", "case.supervise", "case.mark_typical", "plan.edit", "plan.approve",
        "complaint.handle", "complaint.view_personal", "import.12345",
        "round.manage", "inspection.record", "spot_check.draw", "spot_check.record", "spot_check.view_in_advance",
        "credit.record", "credit.export", "evaluation.manage", "objection.read", "objection.answer",
        "exit.manage", "grade.reassess",
        "revenue.write", "revenue.review",
        "register.write",  # issue 17 part B: the county enters; only the town reviews
        "report.review_unit", "report.review_enterprise", "report.oversee", "report.build", "report.statistics",
        "report.county_figures", "dashboard.view",
        # issue 19 part C: printable documents (文书)
        "document.issue", "document.template_edit",
        # subjects (issue 17 part A)
        "case.set_subject", "developer.edit", "committee.edit",
    }
)
_COMPLAINT_HANDLING = {"complaint.handle", "complaint.view_personal", "import.12345"}

# issue 19 part B (accounts19): the county imports its registers and runs the users below it;
# the city runs the users of its counties (and nothing else: it stays read-only for the data)
_COUNTY_ADMINISTRATION = frozenset({"register.import", "user.manage"})

# votes (issue 18): the community keeps the register and organises; town and county may too
_VOTES = frozenset({"owners.manage", "owners.view_personal", "vote.manage", "vote.enter_paper"})

#: role → its capabilities
TABLE: dict[str, frozenset[str]] = {
    Role.COUNTY_GROUP: _COUNTY | _COUNTY_ADMINISTRATION | _VOTES,
    Role.COUNTY_OFFICE: _COUNTY | _COUNTY_ADMINISTRATION | _VOTES,
    Role.TOWN: frozenset(
        _WRITE | _CASE_WORK | _COMPLAINT_HANDLING | {
            "case.assign", "round.manage", "inspection.record", "revenue.write", "revenue.review",
            "register.write", "register.review",  # issue 17 part B
            "report.submit_unit", "report.county_figures", "dashboard.view",
            "developer.edit", "committee.edit",  # subjects (issue 17 part A)
        } | _VOTES
    ),
    Role.COMMUNITY: frozenset(
        _WRITE | _CASE_WORK | _COMPLAINT_HANDLING | {
            "inspection.record", "report.submit_unit", "report.county_figures", "dashboard.view",
            "register.write",  # issue 17 part B
            "committee.edit",  # subjects (issue 17 part A)
        } | _VOTES
    ),
    Role.ENTERPRISE: frozenset(
        _WRITE | {
            "case.progress", "case.request_closure", "self_check.record", "credit.view_own", "objection.read",
            "revenue.write", "report.submit_enterprise", "report.county_figures",
            "register.write",  # issue 17 part B
        }
    ),
    Role.CITY: frozenset({
        "user.manage",  # issue 19 part B: the city runs its counties' users
        "spot_check.view_in_advance", "report.oversee", "report.statistics", "report.county_figures", "dashboard.view",
    }),
    # discipline inspection sees only the corruption clues, so none of the county-wide figures
    Role.DISCIPLINE: frozenset({"spot_check.view_in_advance", "report.oversee", "dashboard.view"}),
    Role.SYSADMIN: frozenset(set(CAPABILITIES) - OWN_UNIT_CAPABILITIES),
}


def can(user, capability: str) -> bool:
    """Whether this user's role (or superuser flag) grants the capability. Unknown names raise
    KeyError, so that a typo in a template or a view is an error, not a hidden button."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser and capability not in OWN_UNIT_CAPABILITIES:
        return True
    return capability in TABLE.get(user.role, frozenset())


def require(user, capability: str, what: str | None = None, *, message: str | None = None) -> None:
    """Raises PermissionDenied (403) unless the user holds the capability. `what` names the
    action for the default message (只有县专班、…可以{what}。); `message` replaces it whole."""
    if can(user, capability):
        return
    if message is None:
        message = f"只有{roles_label(capability)}可以{what or CAPABILITIES[capability]}。"
    raise PermissionDenied(message)


def roles_with(capability: str) -> frozenset[str]:
    """The roles whose row grants the capability (e.g. whom to notify of a report to review)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return frozenset(role for role, capabilities in TABLE.items() if capability in capabilities)


def roles_label(capability: str) -> str:
    """The roles that hold the capability, in the order of Role, for refusal messages (the
    system administrator, who holds nearly all, goes unsaid)."""
    return "、".join(role.label for role in Role if role != Role.SYSADMIN and capability in TABLE[role])
