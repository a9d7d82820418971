"""An unreachable database, on any page: the Chinese 503 page (JSON on the API), with Retry-After,
wherever it is met — in a middleware (the session, the user) or in the view; any other error stays
Django's plain 500. (A real PostgreSQL restart under gunicorn: test_database_down.py.)"""

from __future__ import annotations

from unittest import mock

from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client

from governance.tests.base import TerritoryTestCase

REFUSED = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


class DatabaseUnavailableTests(TerritoryTestCase):
    def setUp(self) -> None:
        self.client = Client(raise_request_exception=False)  # as a server answers: no exception re-raised
        self.client.force_login(self.carol)

    def test_a_database_down_when_the_session_is_read_is_the_chinese_503_page(self):
        with mock.patch.object(SessionStore, "load", side_effect=REFUSED):
            r = self.client.get("/cases/")
        self.assertEqual(r.status_code, 503)
        self.assertContains(r, "数据库暂时无法连接，系统正在自动重连", status_code=503)
        self.assertEqual(r["Retry-After"], "15")

    def test_a_connection_lost_inside_the_view_is_the_503_page_too(self):
        with mock.patch("disputes.views.cases.case_list", side_effect=InterfaceError("connection already closed")):
            r = self.client.get("/cases/")
        self.assertContains(r, "数据库暂时无法连接", status_code=503)

    def test_the_api_answers_503_in_its_error_shape(self):
        with mock.patch.object(SessionStore, "load", side_effect=REFUSED):
            r = self.client.get("/api/v1/me/")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r.json()["error"]["code"], "unavailable")
        self.assertIn("数据库暂时无法连接", r.json()["detail"])

    def test_any_other_error_is_still_the_plain_500_page(self):
        with mock.patch("disputes.views.cases.case_list", side_effect=RuntimeError("a bug")):
            r = self.client.get("/cases/")
        self.assertEqual(r.status_code, 500)
        self.assertNotIn("数据库", r.content.decode())
