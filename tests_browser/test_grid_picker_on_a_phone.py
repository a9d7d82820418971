"""The grid picker on a 375 px phone: a street officer of a street with 60 grids (more than the 50 a
<select> is kept for) files a case by typing part of a grid's name, picking it from the list, then
searching the residents of that grid and picking one as a chip."""

import os

import pytest
from playwright.sync_api import expect

from tests_browser.test_case_loop_on_a_phone import sign_in

SHOTS = os.environ.get("GRIDGOV_SCREENSHOTS", "")


@pytest.fixture
def big_street(transactional_db):
    from disputes.demo.cases import seed_taxonomy
    from governance.roles import Role
    from governance.tests.base import make_region, make_user

    city = make_region("2108", "营口市")
    district = make_region("210802", "站前区", city)
    street = make_region("210802001", "八田地街道", district)
    for c, name in enumerate(["五大门社区", "青年社区", "胜利社区"], start=1):
        community = make_region(f"210802001{c:03d}", name, street)
        for g in range(1, 21):
            make_region(f"{community.code}{g:03d}", f"{name}第{g}网格", community)
    other = make_region("210803001001", "渔市社区", make_region("210803001", "五台子街道", make_region("210803", "西市区", city)))
    make_region("210803001001001", "渔市社区第1网格", other)
    make_user("officer", "王海涛", Role.STREET_OFFICER, street)
    seed_taxonomy()


@pytest.mark.browser
def test_a_street_officer_picks_one_of_sixty_grids_by_typing_on_a_phone(big_street, phone_page):
    from disputes.models import Case
    from governance.models import Region
    from parties import actions as pa
    from parties.pii import mask_id_number

    masked_id = mask_id_number("11010519491231002X")  # area code only

    grid = Region.objects.get(code="210802001002007")
    li = pa.do_create_resident(actor=None, grid=grid, name="李青", id_number="11010519491231002X")
    pa.do_create_resident(actor=None, grid=Region.objects.get(code="210802001001007"), name="李红",
                          id_number="440524188001010014")
    page = phone_page
    sign_in(page, "officer")
    page.goto("/cases/new/")
    assert page.locator("select[name=grid]").count() == 0  # 60 grids: no <select> listing them
    box = page.get_by_label("所在网格")
    box.fill("青年社区第7")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(1)
    assert "八田地街道 › 青年社区" in options.first.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/grid-picker-open.png")
    options.first.click()
    assert box.input_value() == "青年社区第7网格（210802001002007）"
    assert page.locator("input[type=hidden][name=grid]").input_value() == "210802001002007"
    assert "八田地街道 › 青年社区" in page.locator(".picker-path").inner_text()
    # Nothing of the other district is offered.
    box.fill("渔市")
    page.get_by_text("没有找到").wait_for()
    box.fill("青年社区第7")
    expect(options).to_have_count(1)
    options.first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The residents search is narrowed to the picked grid: 李红 (another grid) is not offered.
    page.get_by_test_id("residents-search").fill("李")
    found = page.get_by_test_id("residents-picker").get_by_role("option")
    expect(found).to_have_count(1)
    assert f"李青（{masked_id}）" in found.first.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/resident-picker-open.png")
    found.first.click()
    page.select_option("select[name=category]", label="楼道堆物")
    page.get_by_label("标题").fill("楼道堆物")
    page.get_by_label("事件描述").fill("李青家门口堆放纸箱。")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/grid-picker.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.grid_id == "210802001002007"
    assert list(case.residents.all()) == [li]


@pytest.mark.browser
def test_a_typed_grid_code_works_and_a_bad_one_is_explained_in_chinese_on_a_phone(big_street, phone_page):
    page = phone_page
    sign_in(page, "officer")
    page.goto("/registers/units/new/")
    box = page.get_by_label("所属网格")
    box.fill("210803001001001")  # the other district's grid, typed without picking
    page.get_by_label("单位名称").fill("测试商店")
    page.get_by_role("button", name="保存").click()
    assert "不存在或不在您的辖区内" in page.get_by_test_id("error-grid").inner_text()
    box = page.get_by_label("所属网格")
    box.fill("210802001003020")
    page.get_by_label("单位名称").fill("测试商店")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/registers/units/*/")
    from parties.models import Unit

    assert Unit.objects.get(name="测试商店").grid_id == "210802001003020"
