"""A grid worker keeps the register on a 375 px phone; community staff reveal one record."""

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def sign_in(page, username, password):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


@pytest.mark.browser
def test_a_grid_worker_registers_a_resident_and_logs_a_visit_on_a_phone(demo_city, phone_page, settings):
    from parties.pii import mask_id_number

    masked_id = mask_id_number("11010519491231002X")  # area code only
    page = phone_page
    sign_in(page, "grid_worker", settings.DEMO_PASSWORD)
    page.goto("/registers/residents/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="登记人口").click()
    page.get_by_label("姓名").fill("测试人")
    page.get_by_label("公民身份号码").fill("11010519491231002x")
    page.get_by_label("联系电话").fill("138 1234 5678")
    page.get_by_label("楼栋").fill("3号楼")
    page.get_by_label("单元").fill("1单元")
    page.get_by_label("房号").fill("999")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("resident-name").inner_text() == "测试人"
    assert page.get_by_test_id("id-number").inner_text() == masked_id
    assert page.get_by_test_id("phone").inner_text() == "138****5678"
    assert "11010519491231002X" not in page.content()
    page.get_by_role("link", name="记录走访").click()
    page.get_by_label("发现情况").fill("新登记住户，情况正常")
    page.get_by_role("button", name="保存").click()
    assert "新登记住户，情况正常" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.browser
def test_a_bad_id_number_is_explained_in_chinese_on_a_phone(demo_city, phone_page, settings):
    page = phone_page
    sign_in(page, "grid_worker", settings.DEMO_PASSWORD)
    page.goto("/registers/residents/new/")
    page.get_by_label("姓名").fill("测试人")
    page.get_by_label("公民身份号码").fill("110105194912310021")
    page.get_by_role("button", name="保存").click()
    message = page.get_by_test_id("error-id_number").inner_text()
    assert "号码有误" in message and "应为 X" not in message


@pytest.mark.browser
def test_community_staff_reveal_one_record(demo_city, phone_page, settings):
    page = phone_page
    sign_in(page, "community_staff", settings.DEMO_PASSWORD)
    page.goto("/registers/residents/")
    page.locator("table.residents a").first.click()
    masked = page.get_by_test_id("id-number").inner_text()
    assert "**********" in masked
    page.get_by_test_id("reveal").click()
    full = page.get_by_test_id("id-number").inner_text()
    assert "*" not in full and len(full) == 18 and full[:4] == masked[:4]
    assert "本次查看已记录" in page.get_by_test_id("revealed-note").inner_text()
