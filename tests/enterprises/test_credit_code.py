import pytest
from django.core.exceptions import ValidationError

from enterprises.forms import EnterpriseForm
from enterprises.validators import credit_code_check_char, credit_code_problem, validate_credit_code

# Published codes of real organisations (check characters as printed on their licences).
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司: letter check character
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91350100M000100Y43",  # the example printed in GB 32100-2015
    "12100000400010398P",  # a public institution (事业单位): registering authority 1, not 9
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert credit_code_problem(code) is None
    validate_credit_code(code)


@pytest.mark.parametrize("code", REAL_CODES)
def test_any_changed_check_character_is_refused(code):
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != code[-1]:
            assert credit_code_problem(code[:-1] + wrong) == "统一社会信用代码校验位错误，请核对后重新输入。"


def test_check_char_matches_standard_example():
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91440300192203821", "应为 18 位"),
        ("9144030019220382166", "应为 18 位"),
        ("", "应为 18 位"),
        ("91440300192203821I", "不允许的字符：I"),
        ("9144030071526726xg", "不允许的字符"),
        ("91S403001922038216", "不允许的字符：S"),
        ("91ABCDEF1922038216", "行政区划码"),
    ],
)
def test_malformed_codes_get_a_chinese_reason(code, fragment):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert fragment in info.value.messages[0]


@pytest.mark.django_db
class TestEnterpriseForm:
    def data(self, **overrides):
        return {"name": "测试物业", "credit_code": "914403001922038216", "legal_representative": "张三"} | overrides

    def test_it_normalises_spaces_and_case(self):
        form = EnterpriseForm(data=self.data(credit_code=" 9144030071526726xg "))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["credit_code"] == "9144030071526726XG"

    def test_wrong_code_is_a_form_error_in_chinese(self):
        form = EnterpriseForm(data=self.data(credit_code="914403001922038217"))
        assert not form.is_valid()
        assert form.errors["credit_code"] == ["统一社会信用代码校验位错误，请核对后重新输入。"]

    def test_duplicate_code_is_refused(self):
        EnterpriseForm(data=self.data()).save()
        form = EnterpriseForm(data=self.data(name="另一家"))
        assert not form.is_valid()
        assert form.errors["credit_code"] == ["该统一社会信用代码已登记。"]
