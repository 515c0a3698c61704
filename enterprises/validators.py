"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from the standard's 31-character set (digits and capital letters without
I, O, Z, S, V): 1 registering authority, 1 organisation type, 6 division code, 9 organisation
code, 1 check character computed over the first 17 with weights 3^i mod 31."""

from django.core.exceptions import ValidationError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...


def credit_code_check_char(first17: str) -> str:
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """The Chinese reason a code is invalid, or None if it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。"
    bad = sorted({ch for ch in code if ch not in CHARSET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V 及小写字母）。"
    if not code[2:8].isdigit():
        return "统一社会信用代码第 3–8 位应为登记管理机关的行政区划码（数字）。"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return "统一社会信用代码校验位错误，请核对后重新输入。"
    return None


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value or "")
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")
