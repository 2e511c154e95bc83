"""Unified social credit code (统一社会信用代码, GB 32100-2015)."""

from django.core.exceptions import ValidationError
from stdnum.cn import uscc


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_credit_code(value: str, *, field_label: str = "统一社会信用代码") -> str:
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(f"{field_label}应为18位，当前为{len(code)}位", code="uscc_length")
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        raise ValidationError(
            f"{field_label}校验位错误：末位应为{uscc.calc_check_digit(code)}", code="uscc_checksum"
        ) from None
    except Exception:  # noqa: BLE001 - stdnum's own exception types
        raise ValidationError(f"{field_label}“{value}”格式不正确", code="uscc_format") from None
    return code
