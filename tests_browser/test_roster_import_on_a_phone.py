"""An admin imports a grid-worker roster on a 375 px phone: upload, dry run, confirm, result."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from rosters.tests.helpers import csv_bytes
from tests_browser.two_factor import enrol_second_factor

ROWS = [
    ["站前区网格员名册"],
    ["姓名", "手机号", "网格编码"],
    ["王芳", "13800000101", "210802001001001"],
    ["", "13800000102", "210802001001001"],
]


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    yield
    from rosters.models import ImportJob

    for job in ImportJob.objects.all():  # the uploads live in MEDIA_ROOT, which a real worker shares
        for f in (job.file, job.error_file):
            if f:
                f.delete(save=False)


@pytest.mark.browser
@pytest.mark.celery_worker
def test_an_admin_checks_then_imports_a_roster_on_a_phone(demo_city, celery_worker_process, phone_page, settings,
                                                          tmp_path):
    page = phone_page
    page.goto("/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    enrol_second_factor(page)  # an administrator's account must have a second factor
    page.wait_for_url("**/dashboard/**")
    page.goto("/rosters/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    roster = tmp_path / "workers.csv"
    roster.write_bytes(csv_bytes(ROWS, "gbk"))
    page.get_by_label("名册类型").select_option("grid_workers")
    page.get_by_label("文件").set_input_files(str(roster))
    page.get_by_role("button", name="上传并预检").click()
    page.wait_for_url("**/rosters/jobs/**")
    # With a real worker the page first shows the progress bar, then reloads itself when the job is done.
    # (A locator wait, not wait_for_function: that evaluates a string, which the page's CSP forbids.)
    expect(page.get_by_test_id("job-status")).to_have_text("已预检，待确认", timeout=60_000)
    assert page.get_by_test_id("count-new").inner_text() == "1"
    assert page.get_by_test_id("count-bad").inner_text() == "1"
    assert "缺少姓名" in page.get_by_test_id("bad-rows").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("job-status")).to_have_text("已导入", timeout=60_000)
    assert "导入结果" in page.locator("main").inner_text()
