"""The dashboards of the city, a district, a street and a community on the demo city, on a 375 px
phone and a 1366 px desktop, in Chinese: the ECharts canvases are drawn with a size, the tables
beside them hold the same figures, the page does not scroll sideways on the phone, a bar drills
down. GRIDGOV_SCREENSHOTS=<dir> saves each page (docs/screenshots/ for the README)."""

import os

import pytest

SHOTS = os.environ.get("GRIDGOV_SCREENSHOTS", "")
LEVELS = (("city", "2108"), ("district", "210802"), ("street", "210802001"), ("community", "210802001001"))


@pytest.fixture
def demo_city(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())


def _page(browser, live_server, width, height, mobile):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1 if not mobile else 2,
                                  is_mobile=mobile, has_touch=mobile, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _sign_in(page, username):
    from django.conf import settings

    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _canvas_size(page, chart):
    canvas = page.locator(f'[data-chart="{chart}"] canvas').first
    canvas.wait_for()
    return canvas.evaluate("c => [c.clientWidth, c.clientHeight]")


@pytest.mark.browser
@pytest.mark.parametrize("width,height,mobile", [(375, 740, True), (1366, 900, False)], ids=["phone", "desktop"])
def test_each_levels_dashboard_draws_its_charts(demo_city, chromium_browser, live_server, width, height, mobile):
    context, page = _page(chromium_browser, live_server, width, height, mobile)
    try:
        _sign_in(page, "city_leader")
        assert page.url.endswith("/dashboard/2108/")
        for level, code in LEVELS:
            page.goto(f"/dashboard/{code}/")
            assert "驾驶舱" in page.title()
            w, h = _canvas_size(page, "trend")
            assert w > 200 and h > 200, (level, w, h)
            w, h = _canvas_size(page, "ranking")
            assert w > 200 and h > 150, (level, w, h)
            assert page.get_by_test_id("ranking-table").locator("tbody tr").count() >= 1
            assert page.get_by_test_id("kpi-closure_rate").is_visible()
            assert page.locator("text=办结率").first.is_visible()
            if page.get_by_test_id("territory-map").count():  # the map of issue 14.3, where installed
                assert page.get_by_test_id("territory-map").is_visible()
            if mobile:
                assert page.evaluate("document.documentElement.scrollWidth") <= width, level
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/dashboard-{level}-{'phone' if mobile else 'desktop'}.png", full_page=True)
        # Drill down from the district to its first street by the ranking table.
        page.goto("/dashboard/210802/")
        first = page.get_by_test_id("ranking-table").locator("tbody tr a").first
        target = first.get_attribute("href")
        first.click()
        page.wait_for_load_state()
        assert page.url.endswith(target)
    finally:
        context.close()


@pytest.mark.browser
def test_the_party_secretary_reads_party_work_first_and_may_go_full_screen(demo_city, chromium_browser, live_server):
    """On a command centre's 1920 px screen."""
    context, page = _page(chromium_browser, live_server, 1920, 1080, False)
    try:
        _sign_in(page, "party_secretary")
        assert page.url.endswith("/dashboard/210802001001/")
        party = page.get_by_test_id("party").bounding_box()
        tiles = page.get_by_test_id("kpi-closure_rate").bounding_box()
        assert party["y"] < tiles["y"]
        assert _canvas_size(page, "trend")[0] > 500
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/dashboard-community-1920.png", full_page=True)
        button = page.locator("[data-fullscreen]")
        assert button.is_visible()
        button.click()
        page.wait_for_selector(".dash.is-fullscreen")
        assert page.evaluate("document.fullscreenElement === document.querySelector('[data-dashboard]')")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/dashboard-community-fullscreen.png")
    finally:
        context.close()
