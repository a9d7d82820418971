"""The territory map and the case place map, with no tile URL configured (the default), on a 375 px
phone and a 1366 px desktop: grid boundaries and case points are drawn on a blank background, the
KPI select recolours them, and the page asks nothing of any host but the app's own."""

import os
from urllib.parse import urlsplit

import pytest

SHOTS = os.environ.get("GRIDGOV_SCREENSHOTS", "")
# The policy the app is moving to (no 'unsafe-inline'): the maps must work under it.
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; font-src 'self'; frame-ancestors 'none'")


@pytest.fixture
def map_city(transactional_db):
    from disputes.actions import cases as actions
    from disputes.demo.cases import seed_taxonomy
    from disputes.models import Category
    from governance import geo
    from governance.roles import Role
    from governance.tests.base import make_region, make_user

    city = make_region("2108", "营口市")
    district = make_region("210802", "站前区", city)
    street = make_region("210802001", "八田地街道", district)
    community = make_region("210802001001", "五大门社区", street)
    grids = []
    for g in range(4):
        south, west = 40.6480 + (g // 2) * 0.0027, 122.2050 + (g % 2) * 0.0035
        grids.append(make_region(
            f"210802001001{g + 1:03d}", f"五大门社区第{g + 1}网格", community,
            boundary=geo.rectangle(south, west, south + 0.0027, west + 0.0035),
            centre_lat=round(south + 0.00135, 6), centre_lng=round(west + 0.00175, 6),
        ))
    worker = make_user("worker", "张丽", Role.GRID_WORKER, grids[0])
    make_user("officer", "王海涛", Role.STREET_OFFICER, street)
    seed_taxonomy()
    category = Category.objects.filter(parent__isnull=False).first()
    cases = [
        actions.do_file_case(actor=worker, category=category, grid=grids[0], title=f"楼道堆物{i}",
                             description="楼道堆放纸箱。", lat=40.6486 + i * 0.0004, lng=122.2058 + i * 0.0005)
        for i in range(3)
    ]
    return cases


def _page(chromium_browser, live_server, width):
    context = chromium_browser.new_context(
        viewport={"width": width, "height": 740 if width < 600 else 900}, locale="zh-CN", base_url=live_server.url,
        is_mobile=width < 600, has_touch=width < 600,
    )
    page = context.new_page()
    page.set_default_timeout(15000)

    def with_csp(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route("**/*", with_csp)
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {"
        " window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber); });"
    )
    return context, page


def csp_violations(page) -> list[str]:
    """What the strict policy blocked on this page, but the inline event handlers (script-src-attr) that
    base.html still has (the language select), which the CSP work removes."""
    return [v for v in page.evaluate("window.__csp") if not v.startswith("script-src-attr")]


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1366])
def test_the_map_draws_boundaries_and_points_without_tiles(map_city, chromium_browser, live_server, width):
    context, page = _page(chromium_browser, live_server, width)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    try:
        page.goto("/login/")
        page.get_by_label("用户名").fill("officer")
        page.get_by_label("密码").fill("password")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

        page.goto("/territory/210802001/map/")
        page.wait_for_selector(".gg-map[data-state=ready]")
        assert page.locator("path.gg-boundary").count() == 4
        assert page.locator("path.gg-case").count() + page.locator(".marker-cluster").count() >= 1
        assert page.get_attribute(".gg-map", "data-points") == "3"
        assert "gg-map-blank" in page.get_attribute(".gg-map", "class")
        assert page.locator(".leaflet-tile").count() == 0
        assert page.locator(".gg-map-legend .gg-legend-item").count() >= 4
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert csp_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/territory-map-{width}.png", full_page=True)

        # A tap on a grid names it, with its figure and a link to its page.
        page.locator("path.gg-boundary").nth(3).click(position={"x": 6, "y": 6})  # a corner, clear of the points
        href = page.locator(".leaflet-popup-content a").get_attribute("href")
        assert href.startswith("/territory/2108020010010")
        assert f"五大门社区第{int(href[-4:-1])}网格" in page.locator(".leaflet-popup-content").inner_text()

        # Another KPI recolours the same boundaries.
        page.select_option(".gg-map-kpi", "overdue_open")
        page.wait_for_selector(".gg-map[data-state=ready]")
        assert page.locator("path.gg-boundary").count() == 4

        # The territory page carries the same map.
        page.goto("/territory/210802001/")
        page.wait_for_selector(".gg-map[data-state=ready]")
        assert page.locator("path.gg-boundary").count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # The case page: its grid's boundary and the point.
        page.goto(f"/cases/{map_city[0].pk}/")
        page.wait_for_selector(".gg-map-place[data-state=ready]")
        assert page.locator(".gg-map-place path.gg-boundary").count() == 1
        assert page.locator(".gg-map-place path.gg-case").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/case-place-{width}.png", full_page=True)
        assert csp_violations(page) == []
    finally:
        page.unroute_all(behavior="ignoreErrors")  # a favicon still in flight must not fail the test
        context.close()
    assert hosts <= {"localhost", "127.0.0.1"}, hosts


@pytest.mark.browser
def test_a_gps_point_far_from_the_grid_is_flagged_and_refused_on_a_phone(map_city, chromium_browser, live_server):
    context, page = _page(chromium_browser, live_server, 375)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 39.9042, "longitude": 116.4074})  # Beijing, about 500 km away
    try:
        page.goto("/login/")
        page.get_by_label("用户名").fill("worker")
        page.get_by_label("密码").fill("password")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        page.goto("/cases/new/")
        page.wait_for_selector(".gg-map-picker[data-state=ready]")
        assert page.locator(".gg-map-picker path.gg-boundary").count() == 1
        assert csp_violations(page) == []
        # A tap on the map picks a point inside the grid: no warning.
        page.get_by_test_id("grid-map").click()
        assert page.locator("input[name=lat]").input_value().startswith("40.64")
        assert page.get_by_test_id("location-warning").inner_text() == ""
        # The phone's GPS puts the worker in Beijing: the form says so before it is sent…
        page.get_by_role("button", name="使用我的位置").click()
        page.wait_for_selector("#loc-text:has-text('39.904200')")
        warning = page.get_by_test_id("location-warning").inner_text()
        assert "公里" in warning and "五大门社区第1网格" in warning
        page.select_option("select[name=category]", index=1)
        page.get_by_label("标题").fill("楼道堆放杂物")
        page.get_by_label("事件描述").fill("3号楼楼道堆放纸箱。")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # …and the server refuses it, keeping what was typed.
        response_status = []
        page.on("response", lambda r: response_status.append(r.status) if r.url.endswith("/cases/new/") else None)
        page.get_by_role("button", name="提交").click()
        page.wait_for_selector("[data-testid=form-errors]")
        assert 400 in response_status
        assert "不在该网格内" in page.get_by_test_id("form-errors").inner_text()
        assert page.get_by_label("标题").input_value() == "楼道堆放杂物"
        assert page.locator("input[name=lat]").input_value() == "39.904200"
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/case-new-far-point-375.png", full_page=True)
    finally:
        page.unroute_all(behavior="ignoreErrors")  # a favicon still in flight must not fail the test
        context.close()
