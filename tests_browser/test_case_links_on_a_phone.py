"""Linking registered residents on a 375 px phone: the grid worker types part of a name into the
residents search box (/registers/residents/search/), picks one (a chip) and files; the case shows
the person masked."""

import os

import pytest

from tests_browser.test_case_loop_on_a_phone import loop_city, sign_in  # noqa: F401

SHOTS = os.environ.get("GRIDGOV_SCREENSHOTS", "")


@pytest.mark.browser
def test_a_grid_worker_links_a_registered_resident_on_a_phone(loop_city, phone_page):  # noqa: F811
    from disputes.models import Case
    from governance.models import Region
    from parties import actions as pa

    grid = Region.objects.get(code="210802001001001")
    zhang = pa.do_create_resident(actor=None, grid=grid, name="张三", id_number="11010519491231002X")
    pa.do_create_resident(actor=None, grid=grid, name="李四", id_number="440524188001010014")
    page = phone_page
    sign_in(page, "worker")
    page.goto("/cases/new/")
    page.select_option("select[name=category]", label="楼道堆物")
    page.get_by_label("标题").fill("楼道堆物")
    page.get_by_label("事件描述").fill("张三在楼道堆放纸箱。")
    page.get_by_test_id("residents-search").fill("张")
    options = page.get_by_test_id("residents-picker").get_by_role("option")
    options.first.wait_for()
    assert options.count() == 1 and "1101**********002X" in options.first.inner_text()
    assert "11010519491231002X" not in page.content()
    options.first.click()
    assert "张三" in page.get_by_test_id("residents-picker").locator(".chip").inner_text()
    assert page.locator("select[name=residents] option:checked").evaluate_all("os => os.map(o => o.value)") == [str(zhang.pk)]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/case-new-links.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    linked = page.get_by_test_id("linked-residents")
    assert "张三" in linked.inner_text() and "1101**********002X" in linked.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/case-detail-links.png", full_page=True)
    assert list(Case.objects.get().residents.all()) == [zhang]
