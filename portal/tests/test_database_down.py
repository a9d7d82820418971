"""PostgreSQL restarting under the app (gunicorn, DEBUG off), through a TCP proxy that drops every
connection and refuses new ones: a request meanwhile gets the Chinese 503 page (JSON on the API),
never a traceback or a 500, and writes nothing; the app reconnects by itself — a kept connection
that died is replaced at the next request (CONN_HEALTH_CHECKS), not answered with an error.
PostgreSQL only: SQLite has no server to restart (governance/tests/test_database_unavailable.py
covers the 503 on any database)."""

from __future__ import annotations

import pytest
from django.db import connection

from disputes.models import Case, Category
from governance.roles import Role
from governance.tests.base import make_territory, make_user
from portal.tests.faults import TcpProxy, Web, database_url_of_tests, needs_real_services


@pytest.fixture
def web_behind_proxy():
    needs_real_services(redis=False)
    proxy = TcpProxy((connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
    web = Web(database_url_of_tests("127.0.0.1", proxy.port))
    yield web, proxy
    web.stop()
    proxy.cut()


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_is_a_503_meanwhile_and_the_app_reconnects_by_itself(web_behind_proxy):
    web, proxy = web_behind_proxy
    *_, grid = make_territory()
    carol = make_user("carol", "网格员", Role.GRID_WORKER, grid)
    category = Category.objects.create(code="04", name="消防")
    web.sign_in(carol)
    assert web.get("/cases/").status_code == 200  # gunicorn's worker now keeps its connection (CONN_MAX_AGE)

    proxy.cut()
    proxy.restore()  # restarted between two requests: the kept connection is dead
    assert web.get("/cases/").status_code == 200  # checked, found dead, replaced: no error

    proxy.cut()  # down
    page = web.get("/cases/")
    assert page.status_code == 503
    assert "数据库暂时无法连接" in page.text and "Traceback" not in page.text
    assert page.headers["Retry-After"]
    api = web.get("/api/v1/me/", headers={"Accept": "application/json"})
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "unavailable"
    form = {"category": category.pk, "grid": grid.code, "urgency": "normal", "title": "楼道堆物",
            "description": "3号楼楼道堆放纸箱。", "address": "3号楼"}
    assert web.post("/cases/new/", form).status_code == 503
    assert not Case.objects.exists()  # told it failed, and it did: nothing half written

    proxy.restore()  # back up: no restart of the app
    assert web.get("/cases/").status_code == 200
    assert web.post("/cases/new/", form).status_code == 302
    assert Case.objects.filter(title="楼道堆物").count() == 1
