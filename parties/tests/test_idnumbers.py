from datetime import date

import pytest
from django.core.exceptions import ValidationError

from parties.idnumbers import birth_date_and_gender, check_char, normalize_id_number, validate_id_number

# The examples printed in GB 11643-1999 (appendix), and a few more computed by hand.
GOOD = ["11010519491231002X", "440524188001010014", "210802199001011235", "110101200002290018"]


@pytest.mark.parametrize("value", GOOD)
def test_the_standard_examples_and_other_good_numbers_pass(value):
    validate_id_number(value)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("11010519491231002", "应为 18 位"),
        ("1101051949123100200", "应为 18 位"),
        ("11010519491231002Y", "含有其他字符"),
        ("1101051949123100AX", "含有其他字符"),
        ("110105194912310021", "校验不通过，号码有误"),
        ("440524188001010015", "号码有误"),
        ("110105194902300020", "不是真实的出生日期"),
        ("110101190002290010", "不是真实的出生日期"),  # 1900 was not a leap year
        ("110105299912310025", "不合理"),
        ("000105194912310025", "省级行政区划代码"),
        ("1.10105194912310e+17", "Excel"),
        ("", "不能为空"),
    ],
)
def test_a_bad_number_gets_a_message_naming_what_is_wrong(value, fragment):
    with pytest.raises(ValidationError) as e:
        validate_id_number(value)
    assert fragment in e.value.messages[0]


def test_normalising_strips_spaces_turns_full_width_half_width_and_uppercases_x():
    assert normalize_id_number(" １１０１０５ 19491231002x\u3000") == "11010519491231002X"


def test_birth_date_and_gender_come_from_the_number():
    assert birth_date_and_gender("11010519491231002X") == (date(1949, 12, 31), "F")
    assert birth_date_and_gender("440524188001010014") == (date(1880, 1, 1), "M")


def test_the_check_character_follows_iso_7064_mod_11_2():
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"


def test_a_wrong_check_character_is_called_wrong_without_naming_the_one_that_would_pass():
    for value in ("110105194912310021", "440524188001010015", "21080219850505432X"):
        with pytest.raises(ValidationError) as e:
            validate_id_number(value)
        message = e.value.messages[0]
        assert "号码有误" in message
        right = check_char(value[:17])
        assert f"应为 {right}" not in message and f"应为{right}" not in message
        assert value[:17] + right not in message  # nor the number that would pass
