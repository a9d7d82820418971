"""The case loop on a 375 px phone: a grid worker files a case with a photo, the street officer
accepts and dispatches it to the police station, the station's handler reports back, the grid
worker verifies it and the case closes."""

import io

import pytest
from PIL import Image


@pytest.fixture
def loop_city(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from disputes.demo.cases import seed_taxonomy
    from governance.models import Department, DepartmentKind
    from governance.roles import Role
    from governance.tests.base import make_region, make_user

    city = make_region("2108", "营口市")
    district = make_region("210802", "站前区", city)
    street = make_region("210802001", "八田地街道", district)
    community = make_region("210802001001", "五大门社区", street)
    ring = [[122.1986, 40.6381], [122.2014, 40.6381], [122.2014, 40.6419], [122.1986, 40.6419], [122.1986, 40.6381]]
    grid = make_region("210802001001001", "五大门社区第1网格", community,
                       boundary={"type": "Polygon", "coordinates": [ring]}, centre_lat=40.64, centre_lng=122.2)
    police = Department.objects.create(name="八田地派出所", kind=DepartmentKind.POLICE, region=street)
    make_user("worker", "张丽", Role.GRID_WORKER, grid)
    make_user("officer", "王海涛", Role.STREET_OFFICER, street)
    make_user("handler", "孙志强", Role.DEPT_HANDLER, street, department=police)
    seed_taxonomy()


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def photo_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (160, 120, 80)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.browser
def test_a_case_goes_round_the_loop_on_a_phone(loop_city, phone_page):
    page = phone_page
    sign_in(page, "worker")
    page.goto("/cases/new/")
    page.select_option("select[name=category]", label="楼道堆物")
    page.get_by_label("标题").fill("3号楼楼道堆放纸箱")
    page.get_by_label("事件描述").fill("2单元楼道堆放大量纸箱，堵塞消防通道。")
    # Tap the grid's map to pick the place.
    page.get_by_test_id("grid-map").click()
    assert page.locator("input[name=lat]").input_value().startswith("40.6")
    page.get_by_test_id("photos").set_input_files(
        files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/cases/*/")
    assert page.get_by_test_id("case-status").inner_text() == "已上报"
    case_url = page.url
    assert page.locator(".photos img").count() == 1

    sign_in(page, "officer")
    page.goto("/cases/todo/")
    page.get_by_role("link", name="3号楼楼道堆放纸箱").click()
    page.get_by_role("button", name="受理", exact=True).click()
    assert page.get_by_test_id("case-status").inner_text() == "已受理"
    form = page.get_by_test_id("assign-form")
    form.locator("select[name=department]").select_option(label="八田地派出所")
    form.get_by_role("button", name="派遣").click()
    assert page.get_by_test_id("case-status").inner_text() == "处置中"

    sign_in(page, "handler")
    page.goto("/cases/todo/")
    page.get_by_role("link", name="3号楼楼道堆放纸箱").click()
    form = page.get_by_test_id("handle-form")
    form.locator("textarea[name=note]").fill("已联系住户清理完毕。")
    form.locator("input[name=evidence]").set_input_files(
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    form.get_by_role("button", name="提交处置结果").click()
    assert page.get_by_test_id("case-status").inner_text() == "待核查"

    sign_in(page, "worker")
    page.goto(case_url)
    page.get_by_role("button", name="已解决，结案").click()
    assert page.get_by_test_id("case-status").inner_text() == "已结案"
    timeline = page.get_by_test_id("timeline").inner_text()
    for step in ("上报", "受理", "派遣", "处置反馈", "核查通过，结案"):
        assert step in timeline
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
