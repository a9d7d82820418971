"""The one error body; the request's language (Chinese by default, English under Accept-Language: en);
session authentication keeps CSRF for writes."""

from django.utils import translation

from api.tests.base import ApiTestCase


class ErrorShapeTestCase(ApiTestCase):
    def test_errors_are_chinese_by_default_and_the_language_follows_accept_language(self):
        body = self.assertError(self.client.get("/api/v1/me/"), 401, "not_authenticated")
        self.assertIn("请先登录", body["message"])
        with translation.override("zh-hans"):  # the request activates English; the next tests start in Chinese
            r = self.client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(r["Content-Language"], "en")
        self.assertError(r, 401, "not_authenticated")

    def test_a_session_write_without_the_csrf_token_is_refused(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        case = self.file()
        self.assertError(client.post(f"/api/v1/cases/{case.pk}/comment/", {"note": "x"}, content_type="application/json"),
                         403, "permission_denied")
        self.assertEqual(client.get("/api/v1/me/").status_code, 200)

    def test_a_body_that_is_not_json_is_a_400(self):
        case = self.file()
        r = self.client.post(f"/api/v1/cases/{case.pk}/comment/", "{nope", content_type="application/json",
                             **self.as_(self.alice))
        self.assertError(r, 400, "parse_error")


class TransientErrorTestCase(ApiTestCase):
    def test_a_write_that_lost_a_race_for_a_lock_is_a_409_in_the_one_shape(self):
        from unittest import mock

        from django.db import OperationalError

        case = self.file()
        with mock.patch("disputes.actions.cases.do_comment_case", side_effect=OperationalError("database is locked")):
            r = self.post(self.alice, f"/api/v1/cases/{case.pk}/comment/", {"note": "x"})
        self.assertIn("系统繁忙", self.assertError(r, 409, "conflict")["message"])
