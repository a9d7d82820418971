"""Issue 18 on a 375 px phone: a grid worker's 上报事件 in 邻里纠纷 reaches the mediation desk (risk
pending), the street officer turns another case into a dispute from the case page; the reporter hears
when her case is handled and finds it under 待核查; the mediator adds a 第三人 and prints a one-page
人民调解协议书 for three parties."""

import io
import shutil
import subprocess

import pytest


@pytest.fixture
def field_city(transactional_db):
    from disputes.demo.cases import seed_taxonomy
    from disputes.demo.mediation import seed_dispute_config
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    city, district, street, community, grid = make_territory()
    make_user("worker", "张丽", Role.GRID_WORKER, grid)
    make_user("staff", "李娜", Role.COMMUNITY_STAFF, community)
    make_user("officer", "王海涛", Role.STREET_OFFICER, street)
    make_user("mediator", "周桂兰", Role.MEDIATOR, street)
    make_user("leader", "赵市长", Role.CITY_LEADER, city)
    seed_taxonomy()
    seed_dispute_config()


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def file_case(page, category, title):
    page.goto("/cases/new/")
    page.select_option("select[name=category]", label=category)
    page.get_by_label("标题").fill(title)
    page.get_by_label("事件描述").fill("夜间装修噪音，邻居多次争吵。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/cases/*/")


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.browser
def test_a_dispute_filed_as_a_case_reaches_the_desk_and_another_case_is_converted(field_city, phone_page):
    from disputes.models import Case, CaseKind

    page = phone_page
    sign_in(page, "worker")
    file_case(page, "邻里纠纷", "楼上装修噪音纠纷")
    assert page.get_by_test_id("dispute-link").is_visible()
    file_case(page, "楼道堆物", "楼道堆物引发争吵")
    other = Case.objects.get(title="楼道堆物引发争吵")

    sign_in(page, "mediator")
    page.goto("/disputes/")
    page.get_by_role("link", name="楼上装修噪音纠纷").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("risk-pending").is_visible()
    fits(page)

    sign_in(page, "officer")
    page.goto(f"/cases/{other.pk}/")
    page.get_by_text("转为矛盾纠纷", exact=True).first.click()
    box = page.get_by_test_id("convert")
    box.locator("select[name=dispute_type]").select_option(label="邻里纠纷")
    box.locator("input[name=reason]").fill("堆物引发邻里矛盾")
    fits(page)
    box.get_by_role("button", name="转为矛盾纠纷").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=other.pk).kind == CaseKind.DISPUTE
    assert page.get_by_test_id("dispute-link").is_visible()
    page.goto("/disputes/")
    assert page.get_by_role("link", name="楼道堆物引发争吵").is_visible()
    fits(page)


@pytest.mark.browser
def test_the_reporter_is_told_her_case_waits_for_her_verification(field_city, phone_page):
    from disputes.models import Case, Status

    page = phone_page
    sign_in(page, "worker")
    file_case(page, "楼道堆物", "3号楼楼道堆放纸箱")
    case = Case.objects.get()

    sign_in(page, "officer")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="受理").first.click()
    page.wait_for_load_state()
    assignees = page.get_by_test_id("assign-form").locator("select[name=assignee] option").all_inner_texts()
    assert "李娜" in assignees and "赵市长" not in assignees
    page.get_by_test_id("assign-form").locator("select[name=assignee]").select_option(label="李娜")
    page.get_by_test_id("assign-form").locator("input[name=deadline]").fill("2099-12-31T17:00")
    page.get_by_test_id("assign-form").get_by_role("button", name="派遣").click()
    page.wait_for_load_state()
    assert "2099-12-31 17:00" in page.get_by_test_id("timeline-deadline").inner_text()

    sign_in(page, "staff")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("handle-form").locator("textarea[name=note]").fill("已清理完毕。")
    page.get_by_role("button", name="提交处置结果").click()
    page.wait_for_load_state()

    sign_in(page, "worker")
    page.goto("/cases/notices/")
    assert "请于" in page.inner_text("main") and "核查" in page.inner_text("main")
    fits(page)
    page.goto("/cases/todo/")
    page.get_by_test_id("todo-verify").get_by_role("link", name="3号楼楼道堆放纸箱").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="已解决，结案").click()
    page.wait_for_load_state()
    assert Case.objects.get().status == Status.CLOSED
    fits(page)


@pytest.mark.browser
def test_a_three_party_agreement_prints_on_one_page_on_a_phone(field_city, phone_page, tmp_path):
    from django.utils import timezone

    from disputes.actions import cases as actions
    from disputes.actions import mediation as ma
    from disputes.models import DisputeType
    from governance.models import Region, User

    grid = Region.objects.get(code="210802001001001")
    worker, officer, mediator = (User.objects.get(username=u) for u in ("worker", "officer", "mediator"))
    d = ma.do_file_dispute(actor=worker, grid=grid, dispute_type=DisputeType.objects.get(code="02"),
                           title="漏水纠纷", description="502漏水至402。",
                           parties=[{"side": "applicant", "name": "刘淑芬"},
                                    {"side": "respondent", "name": "营口市站前区锦绣家园物业服务有限责任公司第三分公司物业管理处"}])
    case = actions.do_accept_case(actor=officer, case=d.case, version=d.case.version)
    actions.do_assign_case(actor=officer, case=case, version=case.version, assignee=mediator)
    d.refresh_from_db()
    d.case.refresh_from_db()
    ma.do_schedule_session(actor=mediator, dispute=d, at=timezone.now(), place="社区调解室")

    page = phone_page
    sign_in(page, "mediator")
    page.goto(f"/disputes/{d.pk}/")
    page.get_by_text("添加当事人", exact=True).click()
    page.select_option("select[name=side]", label="第三人")
    page.get_by_label("姓名或名称（不在册时填写）").fill("陈志刚")
    page.get_by_role("button", name="添加", exact=True).click()
    page.wait_for_load_state()
    assert "第三人：陈志刚" in page.get_by_test_id("parties").inner_text()
    assert "3 人" in page.inner_text("main")
    settle = page.get_by_test_id("settle-form")
    settle.locator("textarea[name=facts]").fill("502室水管渗漏致402室天花板受损。")
    settle.locator("textarea[name=terms]").fill("物业公司赔偿刘淑芬维修费三千元。")
    settle.locator("input[name=performance]").fill("现金一次性支付")
    settle.get_by_role("button", name="登记调解成功").click()
    page.wait_for_load_state()
    fits(page)
    response = page.request.get(f"/disputes/{d.pk}/agreement.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(response.body()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", "")
    assert "一式四份" in text and "第三人（签名）" in text
    if shutil.which("pdftoppm"):  # poppler draws it: one page
        (tmp_path / "a.pdf").write_bytes(response.body())
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(tmp_path / "a.pdf"), str(tmp_path / "page")],
                       capture_output=True, check=True, timeout=60)
        assert len(list(tmp_path.glob("page*.png"))) == 1
