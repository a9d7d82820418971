"""On a 375 px phone: a city admin exports the case categories, edits the sheet, uploads it,
reads the preview (new / updated / unchanged) and confirms the import."""

from __future__ import annotations

import openpyxl
import pytest

from disputes.models import Category
from governance.roles import Role
from governance.tests.base import make_region, make_user
from tests_browser.two_factor import enrol_second_factor


@pytest.fixture
def city_admin(transactional_db):
    city = make_region("2108", "营口市")
    admin = make_user("city_admin", "市管理员", Role.ADMIN, city)
    admin.set_password("Admin-2026-pass")
    admin.save()
    fire = Category.objects.create(code="04", name="消防")
    Category.objects.create(code="0402", name="楼道堆物", parent=fire)
    return admin


@pytest.mark.browser
def test_a_city_admin_exports_edits_previews_and_imports_the_categories(city_admin, phone_page, tmp_path):
    page = phone_page
    page.goto("/login/")
    page.get_by_label("用户名").fill("city_admin")
    page.get_by_label("密码").fill("Admin-2026-pass")
    page.get_by_role("button", name="登录").click()
    enrol_second_factor(page)  # an administrator's account must have a second factor
    page.wait_for_url("**/dashboard/**")
    page.goto("/cases/config/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    with page.expect_download() as download:
        page.get_by_test_id("export-categories").click()
    sheet = tmp_path / "事件类别.xlsx"
    download.value.save_as(sheet)
    book = openpyxl.load_workbook(sheet)
    book.active.append(["0405", "消防栓损坏", "04", "是", 5])
    book.save(sheet)

    card = page.get_by_test_id("config-tables").locator("section").filter(has_text="事件类别").first
    card.get_by_label("导入文件").set_input_files(str(sheet))
    card.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/cases/config/categories/import/")
    assert page.get_by_test_id("count-new").inner_text() == "1"
    assert page.get_by_test_id("count-unchanged").inner_text() == "2"
    assert "消防栓损坏" in page.get_by_test_id("preview-rows").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/cases/config/")
    assert "事件类别已导入：新增 1 行" in page.locator(".messages").inner_text()
    assert Category.objects.get(code="0405").parent.code == "04"
