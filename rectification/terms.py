"""The campaign's terms as residents meet them (on the tracking page, a published plan), in plain
words. The help page (portal) shows them too."""

PUBLIC_TERMS = (
    ("待核查", "问题已受理，正在安排镇（街道）、社区到现场核实。"),
    ("核查中", "镇（街道）、社区正在现场核实问题是否属实。"),
    ("整改中", "经核实问题属实，已明确责任单位、整改措施和完成时限，正在整改。"),
    ("待销号", "责任单位报告已整改完成，等待县专班复核；复核通过后“销号”。"),
    ("销号", "县专班复核确认问题已整改到位，案件办结（“整改完成一个，销号一个”）。"
             "办结后会请您评价，不满意的会重新办理。"),
    ("挂牌督办", "对整改不力或群众反映强烈的问题，由上级部门挂牌、限期督促整改，问题解决后才摘牌。"),
    ("超期", "超过完成时限仍未整改完成，会被重点督办。"),
)

_MEANINGS = dict(PUBLIC_TERMS)


def term_meaning(label: str) -> str:
    """The plain meaning of a state or term label ("已销号" reads as 销号), or ""."""
    label = (label or "").strip()
    return _MEANINGS.get(label) or _MEANINGS.get(label.removeprefix("已"), "")
