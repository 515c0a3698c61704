"""The help page's content (帮助): for each role, what to do each day and each month, taken from
the campaign's core loop (clue → verification → rectification → 销号, DOMAIN.md §2) and the
reporting cadence (enterprises by the 20th, towns and communities by the 27th, the county by the
30th, §5). Data, not templates, so a test can check that every role has its page."""

from dataclasses import dataclass

from accounts.roles import Role


@dataclass(frozen=True)
class RoleHelp:
    role: str
    summary: str
    daily: tuple[str, ...]
    monthly: tuple[str, ...]
    #: where the role's work is, by its navbar label
    pages: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return Role(self.role).label


COUNTY = RoleHelp(
    role=Role.COUNTY_GROUP,
    summary="县专班统筹全县整治：受理各渠道线索、交办、督办、销号，评定红黑榜，每月 30 日前向市住建局汇总报送。",
    daily=(
        "打开“工作台”，先看“即将到期 / 已超期”的案件和待回复的投诉，超期案件红色标出，优先处理。",
        "在“投诉受理”录入或导入 12345 热线、信访件等线索；同一小区同一问题自动并为一案（多人同诉），投诉人数越多越优先。",
        "在“整改台账”为待核查案件指定核查单位（镇/街道或社区），确认整改责任人、措施和完成时限。",
        "对“待销号”的案件逐件核对整改佐证，现场复核后填写销号意见并“销号”；整改不到位的“退回整改”。",
        "整改不力的，登记约谈、挂牌督办或实地督导；涉及腐败问题线索的，标注并移送纪检监察。",
    ),
    monthly=(
        "27 日后查看“报表”中各镇（街道）、社区的月度报送，逐一审核或退回；逾期未报的单位在截止前就已标出。",
        "30 日前（2 月为月末最后一天）生成并报送全县月度汇总（统计表、整改台账、典型案例），系统保存每一版。",
        "20 日后审核物业服务企业的月度整改进展报送。",
        "组织四不两直抽查、排查轮次全覆盖；对已销号案件开展“回头看”，问题复发的重新打开。",
        "定期开展红黑榜评定：系统按评定规则提出建议，专班逐家决定、公布。",
    ),
    pages=("整改台账", "投诉受理", "挂图作战", "报表", "排查台账", "红黑榜"),
)

HELP = {
    Role.COUNTY_GROUP: COUNTY,
    Role.COUNTY_OFFICE: RoleHelp(
        role=Role.COUNTY_OFFICE,
        summary="县专班办公室承担专班的日常工作：线索登记、交办、催办和报表汇总，销号等决定由专班作出。",
        daily=COUNTY.daily,
        monthly=COUNTY.monthly,
        pages=COUNTY.pages,
    ),
    Role.TOWN: RoleHelp(
        role=Role.TOWN,
        summary="镇（街道）负责本辖区各社区的案件核查和整改督促，每月 27 日前向县专班办公室报送。",
        daily=(
            "打开“工作台”，查看本镇即将到期和已超期的案件，督促责任单位按时整改。",
            "对县专班交办的“待核查”案件，组织社区现场核查：属实的填写整改措施、责任人和完成时限；不属实的说明理由。",
            "跟进“整改中”的案件，上传整改前后照片等佐证；整改完成后“申请销号”，由县专班复核销号。",
            "及时回复交办的 12345 等投诉，办理结果会告知投诉人。",
        ),
        monthly=(
            "27 日前在“报表”中填报本镇月度情况（线索数量、整改进展、台账、经验做法）并提交；被退回的按意见修改后重报。",
            "督促各社区按时报送，查看排查台账是否覆盖辖区内全部物业小区。",
            "配合县专班开展“回头看”，问题复发的及时反映。",
        ),
        pages=("整改台账", "投诉受理", "排查台账", "报表"),
    ),
    Role.COMMUNITY: RoleHelp(
        role=Role.COMMUNITY,
        summary="社区负责本社区小区的排查、现场核查和整改跟进，手机上也可以办理。",
        daily=(
            "打开“工作台”，查看分派给本社区的案件，尤其是快到期和已超期的。",
            "到小区现场核查投诉反映的问题，在案件页填写核查情况，拍照上传佐证。",
            "跟进物业服务企业整改，整改完成后上传整改后照片并“申请销号”。",
            "在“排查台账”登记入户排查：按检查清单逐项填写，不合格项自动形成案件。",
        ),
        monthly=(
            "27 日前在“报表”中填报本社区月度情况并提交。",
            "本轮排查须覆盖本社区全部物业小区，未排查的小区会标出。",
        ),
        pages=("整改台账", "排查台账", "住宅小区"),
    ),
    Role.ENTERPRISE: RoleHelp(
        role=Role.ENTERPRISE,
        summary="物业服务企业对本企业服务的小区开展自查自纠，按时整改交办的问题，每月 20 日前报送整改进展。",
        daily=(
            "打开“工作台”，查看交办给本企业的案件和完成时限，超期将影响信用评价。",
            "按整改措施整改，上传整改前后照片等佐证，说明整改情况。",
            "按规定公示公共收益收支情况。",
        ),
        monthly=(
            "20 日前在“月度报送”中填报本企业整改进展并提交。",
            "在“排查台账”完成自查自纠。",
            "在“红黑榜”查看本企业的名单和信用记录；对认定有异议的，可在有效期内提出异议。",
        ),
        pages=("整改台账", "月度报送", "排查台账", "公共收益", "红黑榜"),
    ),
    Role.CITY: RoleHelp(
        role=Role.CITY,
        summary="市住建局可查看所辖各县（区）的案件、统计和报表（只读）。",
        daily=("在“挂图作战”查看各县（区）的线索、整改、超期和销号情况。",),
        monthly=(
            "30 日后在“报表”中查阅、下载各县（区）报送的月度汇总（统计表、整改台账、典型案例），可直接用 Excel 打开。",
            "查看典型案例和红黑榜公布情况。",
        ),
        pages=("挂图作战", "报表", "整改台账"),
    ),
    Role.DISCIPLINE: RoleHelp(
        role=Role.DISCIPLINE,
        summary="纪检监察可查看标注为腐败问题线索的案件及其移送情况（只读）。",
        daily=("在“整改台账”查看涉及腐败问题线索的案件、办理时间线和移送记录。",),
        monthly=("结合月度报表，关注问题线索的移送和查处进展。",),
        pages=("整改台账",),
    ),
    Role.SYSADMIN: RoleHelp(
        role=Role.SYSADMIN,
        summary="系统管理员维护账号、区划、问题分类等基础数据。",
        daily=("在“后台管理”处理账号开通、停用和密码重置。",),
        monthly=("检查登录失败锁定记录和导入任务。",),
        pages=("后台管理",),
    ),
}

def help_for(role: str) -> RoleHelp:
    return HELP.get(role, HELP[Role.COMMUNITY])
