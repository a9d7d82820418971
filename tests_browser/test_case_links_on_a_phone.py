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
    from parties.pii import mask_id_number

    masked_id = mask_id_number("11010519491231002X")  # area code only

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
    assert options.count() == 1 and masked_id in options.first.inner_text()
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
    assert "张三" in linked.inner_text() and masked_id in linked.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/case-detail-links.png", full_page=True)
    assert list(Case.objects.get().residents.all()) == [zhang]


@pytest.mark.browser
def test_a_grid_worker_picks_a_resident_by_the_full_id_number_posted_not_in_a_url(loop_city, phone_page):  # noqa: F811
    from disputes.models import Case
    from governance.models import AuditEvent, Region
    from parties import actions as pa
    from parties.pii import mask_id_number

    number = "11010519491231002X"
    grid = Region.objects.get(code="210802001001001")
    zhang = pa.do_create_resident(actor=None, grid=grid, name="张三", id_number=number)
    pa.do_create_resident(actor=None, grid=grid, name="张四", id_number="440524188001010014")
    page = phone_page
    searches = []
    page.on("request", lambda r: searches.append((r.method, r.url, r.post_data or "", r.headers))
            if "/registers/" in r.url and "/search/" in r.url else None)
    sign_in(page, "worker")
    page.goto("/cases/new/")
    page.select_option("select[name=category]", label="楼道堆物")
    page.get_by_label("标题").fill("楼道堆物")
    page.get_by_label("事件描述").fill("张三在楼道堆放纸箱。")
    page.get_by_test_id("residents-search").fill(number.lower())  # typed with a small x, as phones do
    options = page.get_by_test_id("residents-picker").get_by_role("option")
    options.first.wait_for()
    assert options.count() == 1 and f"张三（{mask_id_number(number)}）" in options.first.inner_text()
    # The number went in a POST body with the form's CSRF token, never into a URL.
    posted = [s for s in searches if number.lower() in s[2]]
    assert posted and all(method == "POST" for method, *__ in posted)
    assert all(h.get("x-csrftoken") and h.get("accept") == "application/json" for *__, h in posted)
    assert not any(number.lower() in url.lower() for __, url, *___ in searches)
    assert number not in page.content()
    options.first.click()
    assert "张三" in page.get_by_test_id("residents-picker").locator(".chip").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/case-new-pick-by-id-number.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "张三" in page.get_by_test_id("linked-residents").inner_text()
    assert list(Case.objects.get().residents.all()) == [zhang]
    assert AuditEvent.objects.filter(action="resident.lookup").count() == 1  # the look-up is audited, once
