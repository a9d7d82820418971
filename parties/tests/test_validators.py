import pytest
from django.core.exceptions import ValidationError

from parties.validators import normalize_credit_code, normalize_phone, validate_credit_code, validate_phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0417－2812345", "0417-2812345"),
        ("(0417)2812345", "0417-2812345"),
        ("04172812345", "0417-2812345"),
        ("010-87654321-8001", "010-87654321-8001"),
    ],
)
def test_phones_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected
    validate_phone(expected)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("1381234567", "应为 11 位"),
        ("12812345678", "第 2 位应为 3–9"),
        ("0417-123", "固定电话"),
        ("2812345", "既不是 11 位手机号码"),
        ("138abc45678", "其他的字符"),
    ],
)
def test_a_bad_phone_gets_a_chinese_message(value, fragment):
    with pytest.raises(ValidationError) as e:
        validate_phone(value)
    assert fragment in e.value.messages[0].replace("以外的字符", "其他的字符")


# Codes published on licences, and the example in GB 32100-2015.
GOOD_CODES = ["91350100M000100Y43", "91110000600037341L", "12100000400000429H", "51100000500010993L"]


@pytest.mark.parametrize("value", GOOD_CODES)
def test_good_credit_codes_pass(value):
    validate_credit_code(value)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000100Y44", "校验不通过，代码有误"),
        ("91350100M00010OY43", "不允许的字符“O”"),
        ("91350100m000100y43", "不允许的字符"),
        ("Z1350100M000100Y43", "不允许的字符“Z”"),
        ("B1350100M000100Y43", "登记管理部门"),
        ("97350100M000100Y43", "机构类别"),
        ("9135A100M000100Y43", "行政区划码"),
    ],
)
def test_a_bad_credit_code_gets_a_message_naming_what_is_wrong(value, fragment):
    with pytest.raises(ValidationError) as e:
        validate_credit_code(value)
    assert fragment in e.value.messages[0]


def test_credit_codes_are_normalised_to_upper_case_without_spaces():
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
