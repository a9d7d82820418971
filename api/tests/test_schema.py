"""The OpenAPI schema at /api/v1/schema/: valid OpenAPI 3, it covers every URL under /api/v1/, and
schemathesis, generating requests from it against the app (a bounded budget: a few examples per
operation), finds no server error and no response that breaks it."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from disputes.actions.cases import do_accept_case, do_assign_case, do_file_case
from disputes.actions.mediation import do_file_dispute, do_settle_dispute
from disputes.models import Case, Category, Dispute, DisputeType, RiskCriterion, RiskEntry, RiskLevel
from governance.actions import do_issue_api_token
from governance.roles import Role
from governance.tests.base import make_region, make_territory, make_user
from parties import actions as parties

DOCUMENTATION = {"/api/v1/schema/", "/api/v1/docs/"}
EXAMPLES_PER_OPERATION = 12


def v1_paths() -> set[str]:
    """Every route under /api/v1/ as an OpenAPI path (`<int:pk>` → `{id}`, `<str:code>` → `{code}`)."""
    found: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("api/v1/") and p.name != "not-found":
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}", route))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_schema_is_valid_openapi_and_covers_every_url_under_v1():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert v1_paths() - DOCUMENTATION - paths == set()
    assert all(p.startswith("/api/v1/") for p in paths)
    assert len(paths) >= 30


def test_every_operation_documents_the_one_error_shape():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for code in ("401", "403", "404", "429"):
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (path, method, code)


@pytest.fixture
def api_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    city, district, street, community, grid = make_territory()
    make_region("210802001001002", "五大门社区第2网格", community)
    officer = make_user("officer", "街道干部", Role.STREET_OFFICER, street)
    worker = make_user("worker", "网格员", Role.GRID_WORKER, grid)
    category = Category.objects.create(code="04", name="消防")
    zhang = parties.do_create_resident(actor=None, grid=grid, name="张三", id_number="11010519491231002X",
                                       phone="13812345678")
    do_file_case(actor=worker, category=category, grid=grid, title="楼道堆物", description="纸箱", residents=[zhang.pk])
    # A 较大 dispute, settled: the dispute, its follow-ups and its risk register entry are there to be read.
    Category.objects.create(code="01", name="矛盾纠纷")
    RiskCriterion.objects.create(name="涉及 5 人以上", measure=RiskCriterion.Measure.PEOPLE, threshold=5,
                                 level=RiskLevel.MAJOR)
    mediator = make_user("mediator", "调解员", Role.MEDIATOR, street)
    dispute = do_file_dispute(actor=worker, grid=grid, dispute_type=DisputeType.objects.create(code="02", name="邻里纠纷"),
                              title="楼上漏水", description="维修费争执", people_count=8, parties=[
                                  {"side": "applicant", "name": "张建国", "phone": "13812341234"},
                                  {"side": "respondent", "resident": zhang.pk}])
    case = do_accept_case(actor=officer, case=dispute.case, version=dispute.case.version)
    case = do_assign_case(actor=officer, case=case, version=case.version, assignee=mediator)
    do_settle_dispute(actor=mediator, dispute=Dispute.objects.get(pk=dispute.pk), version=case.version, facts="漏水",
                      terms="赔偿三千元", performance="现金")
    return {"officer": do_issue_api_token(actor=None, user=officer)[1],
            "mediator": do_issue_api_token(actor=None, user=mediator)[1], "dispute": dispute.pk,
            "risk": RiskEntry.objects.get(dispute=dispute).pk, "follow_up": dispute.follow_ups.first().pk}


@pytest.fixture
def connection_kept():
    """Django's WSGI handler closes the database connection after each request; the test's
    transaction lives on it (Django's own test client does the same as this)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_schemathesis_finds_no_server_error_and_no_response_breaking_the_schema(api_world, connection_kept, settings):
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {"api_user": "100000/min", "api_token": "100000/min"}
    settings.REST_FRAMEWORK = framework
    settings.PII_LOOKUPS_PER_MINUTE = 100000
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {api_world['officer']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 35
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                             derandomize=True)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_the_seeded_dispute_and_its_risk_entry_answer_as_the_schema_says(api_world, connection_kept):
    """Generated ids seldom name the seeded records: their detail and a write on each are validated here."""
    cache.clear()  # the throttles' counters: another test's requests do not count against these
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    officer = {"Authorization": f"Bearer {api_world['officer']}"}
    mediator = {"Authorization": f"Bearer {api_world['mediator']}"}
    dispute, risk = {"id": api_world["dispute"]}, {"id": api_world["risk"]}

    def version():
        return Case.objects.get(pk=api_world["dispute"]).version

    calls = [
        ("/api/v1/disputes/{id}/", "GET", dispute, None, officer),
        ("/api/v1/risks/{id}/", "GET", risk, None, officer),
        ("/api/v1/risks/{id}/update/", "POST", risk, lambda: {"version": version(), "owner": "officer",
                                                              "responsibility": "包案", "measures": "稳控",
                                                              "next_review": "2027-01-01"}, officer),
        ("/api/v1/risks/{id}/review/", "POST", risk, lambda: {"version": version(), "note": "平稳"}, officer),
        ("/api/v1/disputes/{id}/record-follow-up/", "POST", dispute, lambda: {
            "version": version(), "follow_up": api_world["follow_up"], "holds": True}, mediator),
        ("/api/v1/disputes/{id}/assess/", "POST", dispute, lambda: {"version": version(), "people_count": 40}, officer),
        ("/api/v1/risks/{id}/close/", "POST", risk, lambda: {"version": version(), "note": "已化解"}, officer),
        ("/api/v1/risks/{id}/", "GET", risk, None, officer),
    ]
    for path, method, params, body, headers in calls:
        operation = schema[path][method]
        case = operation.Case(path_parameters=params, **({"body": body(), "media_type": "application/json"}
                                                          if body else {}))
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == 200, (path, response.text[:300])
