"""Each demo role signs in on a 375 px phone screen and lands on its own home page."""

import pytest
from django.core.management import call_command

from governance.demo_city import DEMO_LOGINS

EXPECTED_HOME = {
    "admin": ("/account/two-factor/", "管理员账号必须使用两步验证"),  # an administrator enrols first
    "security_admin": ("/account/two-factor/", "管理员账号必须使用两步验证"),
    "audit_admin": ("/account/two-factor/", "管理员账号必须使用两步验证"),
    # Leaders land on their node's dashboard (驾驶舱), handlers on their 待办, mediators on the desk.
    "city_leader": ("/dashboard/2108/", "营口市"),
    "district_centre": ("/dashboard/210802/", "站前区"),
    "street_officer": ("/dashboard/210802001/", "八田地街道"),
    "community_staff": ("/dashboard/210802001001/", "五大门社区"),
    "party_secretary": ("/dashboard/210802001001/", "五大门社区"),
    "grid_worker": ("/grids/mine/", "五大门社区第1网格"),
    "dept_handler": ("/cases/todo/", "我的待办"),
    "mediator": ("/disputes/", "纠纷调解工作台"),
}


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


@pytest.mark.browser
def test_every_demo_role_signs_in_on_a_phone_and_lands_home(demo_city, phone_page, settings):
    page = phone_page
    assert set(EXPECTED_HOME) == {d.username for d in DEMO_LOGINS}
    for login in DEMO_LOGINS:
        path, heading = EXPECTED_HOME[login.username]
        page.goto("/login/")
        page.get_by_label("用户名").fill(login.username)
        page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"**{path}")
        assert heading in page.locator("main").inner_text()
        assert page.get_by_test_id("user-name").inner_text() == login.name
        # Nothing runs off the side of a phone screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_test_id("user-name").click()
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/login/")


@pytest.mark.browser
def test_a_street_officer_drills_down_to_a_grid(demo_city, phone_page, settings):
    page = phone_page
    page.goto("/login/")
    page.get_by_label("用户名").fill("street_officer")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/210802001/")
    page.goto("/territory/210802001/")
    page.get_by_test_id("open-cases-chart").get_by_role("link", name="五大门社区").click()  # from the chart
    page.get_by_role("table").get_by_role("link", name="五大门社区第3网格").click()  # from the table
    assert page.get_by_test_id("region-name").inner_text() == "五大门社区第3网格"
    page.goto("/territory/210802002/")
    assert "不在您的辖区内" in page.locator("main").inner_text()
