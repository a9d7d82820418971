"""On a 375 px phone: five wrong passwords lock the account with a Chinese message (the right password
too, until the cool-off has passed); an administrator sets up TOTP on first sign-in (QR code, key,
recovery codes), then signs in with the password and a code computed from the device's key, and
once with a recovery code."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.models import User
from governance.roles import Role
from governance.tests.base import make_territory, make_user
from governance.tests.totp import totp_code
from tests_browser.two_factor import enrol_second_factor

PASSWORD = "Grid-2026-pass"


@pytest.fixture
def people(transactional_db):
    city, district, street, community, grid = make_territory()
    for username, name, role, region in (("wang", "王街道", Role.STREET_OFFICER, street),
                                         ("zq_admin", "区管理员", Role.ADMIN, district)):
        user = make_user(username, name, role, region)
        user.set_password(PASSWORD)
        user.save()


def fill_sign_in(page, username, password):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.browser
def test_five_wrong_passwords_lock_the_account_until_the_cool_off_passes(people, phone_page):
    page = phone_page
    fill_sign_in(page, "wang", "wrong-Password-1")
    assert "用户名或密码不正确" in page.get_by_test_id("sign-in-error").inner_text()
    for _n in range(4):
        fill_sign_in(page, "wang", "wrong-Password-1")
    message = page.get_by_test_id("locked-out").inner_text()
    assert "登录失败次数过多" in message and "30 分钟" in message
    assert fits(page)
    fill_sign_in(page, "wang", PASSWORD)  # the right password is refused too while locked
    assert page.get_by_test_id("locked-out").is_visible()
    assert "/login/" in page.url

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))  # the cool-off passes
    fill_sign_in(page, "wang", PASSWORD)
    page.wait_for_url("**/dashboard/**")
    assert page.get_by_test_id("user-name").inner_text() == "王街道"


@pytest.mark.browser
def test_an_admin_enrols_totp_then_signs_in_with_a_code_and_with_a_recovery_code(people, phone_page):
    page = phone_page
    fill_sign_in(page, "zq_admin", PASSWORD)
    page.wait_for_url("**/account/two-factor/")
    assert page.get_by_test_id("must-enrol").is_visible()
    qr = page.get_by_test_id("totp-qr").locator("svg")
    assert qr.is_visible() and qr.bounding_box()["width"] <= 375
    assert fits(page)
    page.goto("/rosters/")  # nothing else opens before the enrolment
    page.wait_for_url("**/account/two-factor/")
    _key, recovery_codes = enrol_second_factor(page)
    assert len(recovery_codes) == 10
    page.wait_for_url("**/dashboard/**")

    # Sign out, and in again: the password, then the code of the device's key (the next 30-second step:
    # the one used to enrol cannot be used twice).
    page.get_by_test_id("user-name").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login/")
    fill_sign_in(page, "zq_admin", PASSWORD)
    page.wait_for_url("**/login/verify/")
    assert fits(page)
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证").click()
    assert "验证码不正确" in page.get_by_test_id("code-error").inner_text()
    device = TOTPDevice.objects.get(user=User.objects.get(username="zq_admin"))
    device.throttle_reset()  # django-otp makes a code after a wrong one wait a second; a person takes longer
    page.get_by_label("验证码").fill(totp_code(device.key, steps_ahead=1))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/dashboard/**")
    assert page.get_by_test_id("user-name").inner_text() == "区管理员"

    # A recovery code instead of the phone, once.
    page.context.clear_cookies()
    fill_sign_in(page, "zq_admin", PASSWORD)
    page.wait_for_url("**/login/verify/")
    page.get_by_label("验证码").fill(recovery_codes[0])
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/dashboard/**")
    page.context.clear_cookies()
    fill_sign_in(page, "zq_admin", PASSWORD)
    page.wait_for_url("**/login/verify/")
    page.get_by_label("验证码").fill(recovery_codes[0])
    page.get_by_role("button", name="验证").click()
    assert page.get_by_test_id("code-error").is_visible()
