"""A dispute on a 375 px phone: a grid worker files it with both parties, the street officer accepts
and dispatches it to the mediator, who schedules a session in 老党员调解室, records the agreement and
opens the printable 人民调解协议书."""

import pytest


@pytest.fixture
def dispute_city(transactional_db):
    from disputes.demo.cases import seed_taxonomy
    from disputes.demo.mediation import seed_dispute_config
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    city, district, street, community, grid = make_territory()
    make_user("worker", "张丽", Role.GRID_WORKER, grid)
    make_user("officer", "王海涛", Role.STREET_OFFICER, street)
    make_user("mediator", "周桂兰", Role.MEDIATOR, street)
    seed_taxonomy()
    seed_dispute_config()


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_dispute_is_filed_mediated_and_settled_on_a_phone(dispute_city, phone_page):
    from disputes.models import Dispute

    page = phone_page
    sign_in(page, "worker")
    page.goto("/disputes/new/")
    page.select_option("select[name=dispute_type]", label="邻里纠纷")
    page.get_by_label("标题").fill("楼上漏水引发邻里纠纷")
    page.get_by_label("纠纷简要情况").fill("502漏水至402，双方就维修费争执。")
    page.get_by_label("涉及人数").fill("2")
    page.get_by_label("申请人姓名或名称", exact=True).fill("刘淑芬")
    page.locator("input[name=a_phone]").fill("13804171234")
    page.get_by_label("被申请人姓名或名称").fill("陈志刚")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("risk-level").inner_text() == "一般"
    assert "138****1234" in page.get_by_test_id("parties").inner_text()
    dispute = Dispute.objects.get()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    sign_in(page, "officer")
    page.goto(f"/cases/{dispute.pk}/")
    page.get_by_role("button", name="受理").first.click()
    page.wait_for_load_state()
    page.get_by_test_id("assign-form").locator("select[name=assignee]").select_option(label="周桂兰")
    page.get_by_test_id("assign-form").get_by_role("button", name="派遣").click()
    page.wait_for_load_state()

    sign_in(page, "mediator")
    page.goto("/disputes/?mine=1")
    page.get_by_role("link", name="楼上漏水引发邻里纠纷").click()
    page.wait_for_load_state()
    page.get_by_text("安排调解", exact=True).click()
    form = page.get_by_test_id("schedule-form")
    form.locator("input[name=at]").fill("2026-11-20T10:00")
    form.locator("select[name=room]").select_option(label="老党员调解室（工作日 9:00–17:00）")
    form.get_by_role("button", name="安排").click()
    page.wait_for_load_state()
    assert "老党员调解室" in page.get_by_test_id("session").inner_text()
    settle = page.get_by_test_id("settle-form")
    settle.locator("textarea[name=facts]").fill("502室水管渗漏致402室天花板受损。")
    settle.locator("textarea[name=terms]").fill("陈志刚赔偿刘淑芬维修费三千元。")
    settle.locator("input[name=performance]").fill("现金一次性支付")
    settle.get_by_role("button", name="登记调解成功").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("outcome").inner_text() == "调解成功"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    response = page.request.get(f"/disputes/{dispute.pk}/agreement.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")


@pytest.mark.browser
def test_a_registered_party_is_found_by_search_and_added_on_a_phone(dispute_city, phone_page):
    from disputes.models import Party
    from governance.models import Region
    from parties import actions as pa

    grid = Region.objects.get(code="210802001001001")
    for n in range(40):  # more residents than any list on a phone could hold
        pa.do_create_resident(actor=None, grid=grid, name=f"王{n:02d}", id_number=_id_number(n))
    li = pa.do_create_resident(actor=None, grid=grid, name="李青", id_number="11010519491231002X")
    page = phone_page
    sign_in(page, "worker")
    page.goto("/disputes/new/")
    page.select_option("select[name=dispute_type]", label="邻里纠纷")
    page.get_by_label("标题").fill("噪音纠纷")
    page.get_by_label("纠纷简要情况").fill("夜间装修噪音。")
    page.get_by_label("涉及人数").fill("2")
    page.get_by_label("申请人姓名或名称", exact=True).fill("刘淑芬")
    page.get_by_label("被申请人姓名或名称").fill("陈志刚")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    page.get_by_text("添加当事人", exact=True).click()
    assert page.locator("select[name=resident] option").count() == 1  # nothing listed, only "—"
    page.get_by_test_id("party-resident-search").fill("李")
    page.get_by_test_id("party-resident-picker").get_by_role("option").first.click()
    page.get_by_role("button", name="添加", exact=True).click()
    page.wait_for_load_state()
    assert "李青" in page.get_by_test_id("parties").inner_text()
    assert Party.objects.filter(resident=li).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _id_number(n: int) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"21080219800101{n:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
