"""The API's pages in Chromium under the app's own Content-Security-Policy (no 'unsafe-inline', no
exception for them): the Swagger UI at /api/v1/docs/ draws the schema's operations, and a signed-in
browser's /api/v1/ endpoints answer JSON, not an HTML page — and nothing on any of them is blocked
(a blocked inline <style>, style="…" or script fires a securitypolicyviolation event)."""

import pytest
from playwright.sync_api import expect

VIOLATIONS = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {"
    " window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber); });"
)


@pytest.fixture
def officer(transactional_db):
    from disputes.actions import cases as actions
    from disputes.demo.cases import seed_taxonomy
    from disputes.models import Category
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    _city, _district, street, _community, grid = make_territory()
    worker = make_user("worker", "张丽", Role.GRID_WORKER, grid)
    officer = make_user("officer", "王海涛", Role.STREET_OFFICER, street)
    seed_taxonomy()
    category = Category.objects.filter(parent__isnull=False).first()
    case = actions.do_file_case(actor=worker, category=category, grid=grid, title="楼道堆物",
                                description="楼道堆放纸箱。")
    return officer, case


def _watch(page) -> list[str]:
    """The page's CSP violations: its securitypolicyviolation events and Chromium's console reports."""
    console: list[str] = []
    page.add_init_script(VIOLATIONS)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def _violations(page, console) -> list[str]:
    return [*page.evaluate("window.__csp || []"), *console]


def _sign_in(page, username):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/**")


@pytest.mark.browser
def test_the_swagger_ui_draws_every_operation_with_nothing_blocked_by_the_policy(officer, phone_page):
    page = phone_page
    console = _watch(page)
    _sign_in(page, "officer")
    response = page.goto("/api/v1/docs/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "style-src 'self'" in policy and "script-src 'self'" in policy
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20  # the schema's operations, drawn
    # "Try it out" on the signed-in user's own record: the session authenticates the request.
    page.locator("#operations-territory-me_retrieve .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator("#operations-territory-me_retrieve .live-responses-table")).to_contain_text('"username": "officer"')
    assert _violations(page, console) == []


@pytest.mark.browser
def test_a_signed_in_browser_gets_json_from_the_api_with_nothing_blocked(officer, phone_page):
    _officer, case = officer
    page = phone_page
    console = _watch(page)
    _sign_in(page, "officer")
    for url in ("/api/v1/me/", "/api/v1/cases/", f"/api/v1/cases/{case.pk}/", f"/api/v1/cases/{case.pk}/accept/",
                "/api/v1/redoc/", "/api/v1/schema/?format=json"):
        response = page.goto(url)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"], url
        assert not response.headers["content-type"].startswith("text/html"), url
    assert _violations(page, console) == []
