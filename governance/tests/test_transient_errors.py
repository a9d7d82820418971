"""A write that lost a race for a lock is a 409 with a Chinese message, never a 500."""

from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase

from governance.middleware import TransientDatabaseErrorMiddleware, is_transient


class PgError(Exception):
    def __init__(self, pgcode):
        self.pgcode = pgcode


def pg_operational_error(code: str) -> OperationalError:
    exc = OperationalError("could not serialize access")
    exc.__cause__ = PgError(code)
    return exc


class TransientErrorTestCase(SimpleTestCase):
    def setUp(self):
        self.middleware = TransientDatabaseErrorMiddleware(lambda request: HttpResponse())

    def test_sqlite_locked_and_postgresql_serialisation_deadlock_and_lock_failures_are_transient(self):
        self.assertTrue(is_transient(OperationalError("database is locked")))
        for code in ("40001", "40P01", "55P03"):
            self.assertTrue(is_transient(pg_operational_error(code)), code)
        self.assertFalse(is_transient(OperationalError("no such table: x")))
        self.assertFalse(is_transient(ValueError("database is locked")))

    def test_it_answers_a_page_with_409_and_a_chinese_message(self):
        request = RequestFactory().post("/cases/1/comment/")
        request.user = None
        response = self.middleware.process_exception(request, OperationalError("database is locked"))
        self.assertEqual(response.status_code, 409)
        self.assertIn("请稍后重试", response.content.decode())

    def test_it_answers_the_api_in_json(self):
        request = RequestFactory().post("/api/v1/cases/", HTTP_ACCEPT="application/json")
        response = self.middleware.process_exception(request, pg_operational_error("40P01"))
        self.assertEqual((response.status_code, response["Content-Type"]), (409, "application/json"))

    def test_other_errors_are_left_alone(self):
        request = RequestFactory().get("/")
        self.assertIsNone(self.middleware.process_exception(request, KeyError("x")))


class DeadlockRetryTestCase(SimpleTestCase):
    def setUp(self):
        self.middleware = TransientDatabaseErrorMiddleware(lambda request: HttpResponse())

    def request_for(self, view):
        from django.urls import ResolverMatch

        request = RequestFactory().post("/cases/1/accept/")
        request.user = None
        request.resolver_match = ResolverMatch(view, (), {"pk": 1})
        return request

    def test_a_deadlock_victim_is_run_again_and_succeeds(self):
        calls = []

        def view(request, pk):
            calls.append(pk)
            return HttpResponse("done", status=302)

        response = self.middleware.process_exception(self.request_for(view), pg_operational_error("40P01"))
        self.assertEqual((response.status_code, calls), (302, [1]))

    def test_a_view_that_keeps_deadlocking_gets_the_409_after_three_more_tries(self):
        calls = []

        def view(request, pk):
            calls.append(pk)
            raise pg_operational_error("40P01")

        response = self.middleware.process_exception(self.request_for(view), pg_operational_error("40P01"))
        self.assertEqual((response.status_code, len(calls)), (409, 3))

    def test_a_lock_timeout_is_not_run_again(self):
        calls = []
        response = self.middleware.process_exception(
            self.request_for(lambda request, pk: calls.append(pk)), pg_operational_error("55P03"))
        self.assertEqual((response.status_code, calls), (409, []))
