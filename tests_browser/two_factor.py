"""Browser-test helpers for the second factor: what a person does with an authenticator app."""

from __future__ import annotations

import base64

from governance.tests.totp import totp_code


def shown_key(page) -> str:
    """The key the enrolment page shows for typing (base32 in groups of four), as hex."""
    return base64.b32decode(page.get_by_test_id("totp-key").inner_text().replace(" ", "")).hex()


def enrol_second_factor(page) -> tuple[str, list[str]]:
    """On the enrolment page an administrator is sent to after the password: type the code for the key
    shown, keep the recovery codes, go on. Returns the key (hex) and the recovery codes."""
    page.wait_for_url("**/account/two-factor/")
    key = shown_key(page)
    page.get_by_label("验证码").fill(totp_code(key))
    page.get_by_role("button", name="启用两步验证").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    page.get_by_role("link", name="我已保存，继续").click()
    return key, codes
