"""Page forms. They only parse and render; the rules live in public_revenue.services (amounts are
read there too, so the page and the API refuse the same input with the same message)."""

from django import forms
from django.utils import timezone

from .models import AccountHolder, AllocationBasis, Approval, Direction, RevenueKind, RevenueSource, SpendingKind
from .periods import period_label, recent_complete_periods

ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf"
ACCEPT_IMAGES = "image/jpeg,image/png,image/gif,image/webp"


def _style(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AccountForm(StyledForm):
    has_account = forms.TypedChoiceField(
        label="专门账户", choices=[("1", "已开设"), ("0", "未开设")], coerce=lambda v: v == "1", initial="1"
    )
    bank = forms.CharField(label="开户银行", max_length=100, required=False)
    account_name = forms.CharField(label="账户名称", max_length=100, required=False)
    account_number = forms.CharField(
        label="账号",
        max_length=40,
        required=False,
        help_text="加密保存，页面只显示末四位；修改其他信息时可留空。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    opened_on = forms.DateField(label="开户日期", required=False, widget=_date_input())
    holder = forms.ChoiceField(label="账户管理方", choices=[("", "请选择"), *AccountHolder.choices], required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class SourceForm(StyledForm):
    kind = forms.ChoiceField(label="收益类型", choices=RevenueKind.choices)
    common_part = forms.CharField(label="利用的共用部位/设施", max_length=200)
    counterparty = forms.CharField(label="合作方", max_length=100, required=False)
    contract_start = forms.DateField(label="合同开始日期", required=False, widget=_date_input())
    contract_end = forms.DateField(label="合同结束日期", required=False, widget=_date_input())
    contract_amount = forms.CharField(label="合同约定收入（元）", max_length=30, required=False)
    approval = forms.ChoiceField(label="业主同意情况", choices=Approval.choices, initial=Approval.ASSEMBLY)
    approval_decision = forms.CharField(label="决议/同意文件", max_length=200, required=False)
    approval_date = forms.DateField(label="同意日期", required=False, widget=_date_input())


KIND_CHOICES = [("收入", RevenueKind.choices), ("支出", SpendingKind.choices)]


class EntryForm(StyledForm):
    direction = forms.ChoiceField(label="收支", choices=Direction.choices)
    kind = forms.ChoiceField(label="类型", choices=KIND_CHOICES)
    occurred_on = forms.DateField(label="发生日期", widget=_date_input())
    amount = forms.CharField(label="金额（元）", max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    source = forms.ModelChoiceField(
        label="经营项目", queryset=RevenueSource.objects.none(), required=False, empty_label="（无）"
    )
    counterparty = forms.CharField(label="交易对方", max_length=100, required=False)
    allocation_basis = forms.ChoiceField(
        label="分配使用依据（支出）", choices=[("", "（未注明）"), *AllocationBasis.choices], required=False
    )
    basis_reference = forms.CharField(label="依据说明（合同条款/决议文号）", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)
    voucher = forms.FileField(
        label="凭证（图片或 PDF）", required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )

    def __init__(self, *args, estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        if estate is not None:
            self.fields["source"].queryset = RevenueSource.objects.filter(estate=estate)
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        direction, kind = data.get("direction"), data.get("kind")
        if direction and kind:
            valid = RevenueKind.values if direction == Direction.INCOME else SpendingKind.values
            if kind not in valid:
                self.add_error("kind", f"“{dict(Direction.choices)[direction]}”请选择对应的类型。")
        return data


class DisclosureForm(StyledForm):
    period_start = forms.ChoiceField(label="公示期间")
    posted_location = forms.CharField(
        label="公示位置（醒目位置）",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "例如：小区东门公告栏、各单元楼道"}),
    )
    posted_on = forms.DateField(label="公示日期", widget=_date_input())
    posted_on_platform = forms.BooleanField(label="已同步在智慧物业平台公示", required=False)
    photo = forms.FileField(label="公示现场照片", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_IMAGES}))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, period_months: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_start"].choices = [
            (start.isoformat(), period_label(start, end))
            for start, end in recent_complete_periods(today, period_months)
        ]
        self.fields["posted_on"].initial = today


class ReviewForm(StyledForm):
    note = forms.CharField(label="审阅意见", max_length=200, required=False)


class ImportForm(StyledForm):
    file = forms.FileField(
        label="收支明细（Excel .xlsx）",
        help_text="表头：日期、收支（收入/支出）、类型、金额、交易对方、备注、分配依据（可选）。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
