from django import forms

from communities.models import ServiceLevel

from .models import CreditEventKind, Enterprise, ExitReason, LitigationStage


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "legal_representative", "contact_person", "contact_phone", "address", "registered_region"]

    def clean_credit_code(self):
        # People paste codes with spaces or in lower case; the standard's characters are capitals.
        return (self.cleaned_data.get("credit_code") or "").strip().replace(" ", "").upper()


# ---------------------------------------------------------------------------------------------
# Forms of the credit file and the exit mechanism. They only parse the posted strings into typed
# values (core.forms.service_values); which values are required, and every rule on them, are the
# service's (enterprises.services), so the page and a direct caller get the same answer.

DATE_FORMATS = ["%Y-%m-%d"]


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, input_formats=DATE_FORMATS, error_messages={
        "invalid": f"{label}的日期格式不正确，请使用 YYYY-MM-DD。"})


def _choice_field(label: str, choices, refused: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *choices],
                             error_messages={"invalid_choice": refused})


def _text_field(label: str) -> forms.CharField:
    # no max_length here: the service states each limit in its own message
    return forms.CharField(label=label, required=False)


class CreditEventForm(forms.Form):
    """信用记录 entered on the credit file page (enterprises.services.credit_event_add)."""

    kind = _choice_field("信用记录类型", CreditEventKind.choices, "请选择信用记录类型。")
    occurred_on = _date_field("发生日期")
    description = _text_field("事由")
    points = forms.IntegerField(label="分值", required=False, error_messages={"invalid": "分值须为整数。"})
    decision_number = _text_field("文书文号")
    source_case_id = forms.IntegerField(label="来源案件", required=False, error_messages={
        "invalid": "来源案件不存在、不在您的管辖范围内或不属于该企业。"})


class ExitForm(forms.Form):
    """退出 of an enterprise from an estate (enterprises.services.exit_open). The estate is the URL's
    or the picker's id, resolved in the user's scope by the service."""

    reason = _choice_field("退出原因", ExitReason.choices, "请选择退出原因。")
    decision = _text_field("决议/决定情况")
    decision_date = _date_field("决议日期")
    notice_date = _date_field("通知日期")
    handover_deadline = _date_field("移交期限")
    new_enterprise = forms.ModelChoiceField(label="新物业服务企业", queryset=Enterprise.objects.all(), required=False,
                                            error_messages={"invalid_choice": "新物业服务企业无效（不能是退出的企业）。"})
    new_manager_name = _text_field("新管理人")


class ExitLitigationForm(forms.Form):
    """诉讼进展 of an exit (enterprises.services.exit_litigation_record)."""

    court = _text_field("受理法院")
    case_number = _text_field("案号")
    stage = _choice_field("诉讼阶段", LitigationStage.choices, "请选择诉讼阶段。")
    outcome = _text_field("进展/结果")


class ServiceLevelRegradeForm(forms.Form):
    """重新核定服务等级 (enterprises.services.service_level_regrade)."""

    to_level = _choice_field("核定后的服务等级", ServiceLevel.choices, "请选择核定后的服务等级。")
    fee_before = forms.DecimalField(label="原收费标准", required=False, error_messages={"invalid": "原收费标准须为数字。"})
    fee_after = forms.DecimalField(label="核定后收费标准", required=False, error_messages={
        "invalid": "核定后收费标准须为数字（元/㎡·月）。"})
    decision_number = _text_field("决定文号")
    effective_on = _date_field("执行日期")
    reason = _text_field("核定理由")
