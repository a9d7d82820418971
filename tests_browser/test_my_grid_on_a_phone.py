"""A grid worker's phone (375 px) in the demo city: 我的网格 with its sections, the bottom tab bar
(its tabs and 更多) that never hides the page's end, a case whose 80-character title has no spaces
that still fits the screen; and the desktop bar of every link fitting 1,366 px in English and
Chinese. GRIDGOV_SCREENSHOTS=docs/screenshots saves my-grid-375.png for the README."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests_browser.two_factor import enrol_second_factor

# GRIDGOV_SCREENSHOTS=docs/screenshots saves the pages for the README (as test_dashboards does); off by default,
# so a test run leaves the checkout as it was.
SHOTS = Path(os.environ["GRIDGOV_SCREENSHOTS"]) if os.environ.get("GRIDGOV_SCREENSHOTS") else None
LONG_TITLE = "W" * 80  # 80 characters, no space to break at (the widest Latin letter)


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def sign_in(page, username, password):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
def test_a_grid_worker_works_from_my_grid_and_the_tab_bar_on_a_phone(demo_city, phone_page, settings):
    page = phone_page
    sign_in(page, "grid_worker", settings.DEMO_PASSWORD)
    page.wait_for_url("**/grids/mine/")
    for testid in ("my-file-case", "my-open-cases", "my-visits", "my-key-persons", "my-nearby", "my-grid-cards"):
        assert page.get_by_test_id(testid).count() == 1, testid
    assert "五大门社区第1网格、五大门社区第2网格" in page.get_by_test_id("my-grid-names").inner_text()
    assert page.get_by_test_id("my-file-case").bounding_box()["height"] >= 48  # a big touch target
    assert fits(page, 375)
    # The cases nearby on the map: her grids drawn (Leaflet), centred on them.
    page.get_by_test_id("my-nearby").locator(".leaflet-container path.leaflet-interactive").first.wait_for()

    bar = page.get_by_test_id("tabbar")
    assert bar.is_visible()
    assert not page.get_by_test_id("mainnav").is_visible()
    labels = [t.strip() for t in bar.locator("a.tab .tab-label").all_inner_texts()]
    assert labels == ["我的网格", "上报", "待办", "走访"]
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(740, abs=1)  # fixed at the bottom of the screen
    for tab in bar.locator("a.tab").all():
        assert tab.bounding_box()["height"] >= 48 and tab.bounding_box()["width"] >= 60
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "my-grid-375.png"))

    # The end of the page is not hidden behind the bar.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = page.locator("footer.footer").bounding_box()
    assert footer["y"] + footer["height"] <= bar.bounding_box()["y"] + 1

    # 更多 opens the rest of the links, closes again, and leads on.
    sheet = page.get_by_test_id("more-sheet")
    assert not sheet.is_visible()
    page.get_by_test_id("tab-more").locator("summary").click()
    assert sheet.is_visible()
    page.keyboard.press("Escape")
    assert not sheet.is_visible()
    page.get_by_test_id("tab-more").locator("summary").click()
    sheet.get_by_role("link", name="实有人口").click()
    page.wait_for_url("**/registers/residents/")
    assert page.get_by_test_id("tab-more").locator("summary.current").count() == 1

    bar.get_by_role("link", name="走访").click()
    page.wait_for_url("**/grids/visits/")
    assert bar.locator('a[aria-current="page"] .tab-label').inner_text() == "走访"
    bar.get_by_role("link", name="上报").click()
    page.wait_for_url("**/cases/new/")


@pytest.mark.browser
def test_the_map_on_my_grid_draws_both_grids_of_a_two_grid_worker_on_a_phone(demo_city, phone_page, settings):
    from disputes.models import OPEN_STATUSES, Case

    page = phone_page
    sign_in(page, "grid_worker", settings.DEMO_PASSWORD)  # 五大门社区第1、2网格
    page.wait_for_url("**/grids/mine/")
    nearby = page.get_by_test_id("my-nearby")
    nearby.locator(".gg-map[data-state=ready]").wait_for()
    boundaries = nearby.locator("path.gg-boundary")
    assert boundaries.count() == 2
    # Both drawn side by side inside the map on a 375 px screen.
    view = nearby.locator(".gg-map").bounding_box()
    boxes = [boundaries.nth(i).bounding_box() for i in range(2)]
    for box in boxes:
        assert box["width"] > 20 and box["height"] > 20, box
        assert view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"] + 1, (box, view)
        assert view["y"] <= box["y"] and box["y"] + box["height"] <= view["y"] + view["height"] + 1, (box, view)
    a, b = boxes  # two grids next to each other, not one drawn twice
    assert (min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) <= 2
            or min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) <= 2), boxes
    # The open cases of both grids, as points (clustered or not).
    points = int(nearby.locator(".gg-map").get_attribute("data-points"))
    counts = {code: Case.objects.filter(grid_id=code, status__in=OPEN_STATUSES, lat__isnull=False).count()
              for code in ("210802001001001", "210802001001002")}
    assert all(counts.values()), counts  # the demo has some in each
    assert points == sum(counts.values()), (points, counts)
    assert fits(page, 375)


@pytest.mark.browser
def test_a_case_with_an_80_character_title_without_spaces_fits_a_phone(demo_city, phone_page, settings):
    from disputes.actions.cases import do_file_case
    from disputes.models import Category
    from governance.models import Region, User

    case = do_file_case(
        actor=User.objects.get(username="grid_worker"), grid=Region.objects.get(code="210802001001001"),
        category=Category.objects.filter(parent__isnull=False).order_by("code").first(), title=LONG_TITLE,
        description="B" * 300, address="X" * 120,
    )
    page = phone_page
    sign_in(page, "grid_worker", settings.DEMO_PASSWORD)
    for path in (f"/cases/{case.pk}/", "/cases/", "/grids/mine/", "/cases/todo/"):
        page.goto(path)
        assert fits(page, 375), path
    page.goto(f"/cases/{case.pk}/")
    assert page.get_by_test_id("case-title").inner_text() == LONG_TITLE


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_desktop_bar_of_every_link_fits_1366_px(demo_city, chromium_browser, live_server, settings, language):
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                           base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page, "admin", settings.DEMO_PASSWORD)  # every link there is
        enrol_second_factor(page)  # administrators must
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.goto("/cases/")
        assert page.evaluate("document.documentElement.lang") == language
        nav = page.get_by_test_id("mainnav")
        assert nav.is_visible()
        assert not page.get_by_test_id("tabbar").is_visible()
        assert nav.evaluate("n => n.scrollWidth") <= 1366
        right = max(box["x"] + box["width"] for box in
                    (el.bounding_box() for el in nav.locator(":scope > a, :scope > details > summary").all()))
        assert right <= 1366
        assert nav.bounding_box()["height"] < 60  # one row
        assert fits(page, 1366)
        # The administration pages are one click away, in the 管理 menu.
        menu = page.get_by_test_id("navmenu-admin")
        menu.locator("summary").click()
        link = menu.locator('a[href="/rosters/"]')
        assert link.is_visible()
        assert link.bounding_box()["x"] + link.bounding_box()["width"] <= 1366
        link.click()
        page.wait_for_url("**/rosters/")
        if language == "en":
            if SHOTS:
                page.screenshot(path=str(SHOTS / "nav-1366-en.png"))
    finally:
        context.close()
