"""On a 375 px phone: an admin issues initial passwords to imported grid workers; a worker signs in
with the password from the downloaded sheet, must change it, then reaches their grids."""

import io

import openpyxl
import pytest
from django.contrib.auth.hashers import make_password

from governance.models import RoleAssignment, User
from governance.roles import Role
from governance.tests.base import make_territory, make_user
from tests_browser.two_factor import enrol_second_factor


@pytest.fixture
def district(transactional_db):
    city, district, street, community, grid = make_territory()
    admin = make_user("zq_admin", "区管理员", Role.ADMIN, district)
    admin.set_password("Admin-2026-pass")
    admin.save()
    worker = User.objects.create(username="13800000101", name="王芳", password=make_password(None))  # as imported
    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)
    return worker


def sign_in(page, username, password):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.browser
def test_an_admin_issues_initial_passwords_and_a_worker_must_change_theirs(district, phone_page):
    page = phone_page
    sign_in(page, "zq_admin", "Admin-2026-pass")
    enrol_second_factor(page)  # an administrator's account must have a second factor
    page.wait_for_url("**/dashboard/**")
    page.goto("/rosters/grid_workers/passwords/")
    assert page.get_by_test_id("workers-without-password").inner_text() == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    with page.expect_download() as info:
        page.get_by_test_id("issue-missing").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    content = io.BytesIO(info.value.path().read_bytes())
    rows = list(openpyxl.load_workbook(content).active.iter_rows(values_only=True))
    assert rows[0] == ("登录名", "姓名", "网格", "初始密码")
    username, name, grid, password = rows[1]
    assert (username, name, grid) == ("13800000101", "王芳", "五大门社区第1网格")

    page.context.clear_cookies()
    sign_in(page, username, password)
    page.wait_for_url("**/password/change/")
    assert page.get_by_test_id("must-change").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto("/grids/mine/")
    page.wait_for_url("**/password/change/")  # nothing else opens before the change
    page.get_by_label("当前密码").fill(password)
    page.get_by_label("新密码", exact=True).fill("Wang-fang-2026")
    page.get_by_label("再次输入新密码").fill("Wang-fang-2026")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url("**/password/change/done/")
    page.get_by_role("link", name="进入系统").click()
    page.wait_for_url("**/grids/**")
    assert "五大门社区第1网格" in page.locator("main").inner_text()
