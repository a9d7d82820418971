"""Disputes with registered residents (disputes.tests.link_base) and API tokens, for the risk register, risk assessment,
party and follow-up endpoints: the checks every one of them makes (anonymous, bad input in Chinese
and in English, no personal data in the clear)."""

from __future__ import annotations

import re

from django.utils import translation

from api.tests.base import ApiHelpers
from disputes.models import Case, RiskEntry
from disputes.tests.dispute_base import APPLICANT, RESPONDENT
from disputes.tests.link_base import ZHANG_ID, ZHANG_PHONE, LinkTestCase

CJK = re.compile(r"[\u4e00-\u9fff]")


class MediationApiTestCase(ApiHelpers, LinkTestCase):
    PII = (APPLICANT["id_number"], APPLICANT["phone"], RESPONDENT["phone"], ZHANG_ID, ZHANG_PHONE)

    @staticmethod
    def version(d) -> int:
        """The version of the dispute's case now (what its detail and its risk entry show)."""
        return Case.objects.get(pk=d.pk).version

    def risky(self, **kw):
        """A 较大 dispute (8 people) and its open entry in the register."""
        d = self.dispute(people_count=8, **kw)
        return d, RiskEntry.objects.get(dispute=d)

    def assertMasked(self, response, *also: str) -> None:
        text = response.content.decode()
        for value in (*self.PII, *also):
            self.assertNotIn(value, text)

    def assertAnonymousGets401(self, url: str, method: str = "post") -> None:
        r = getattr(self.client, method)(url, {"version": 1}, content_type="application/json") if method == "post" \
            else self.client.get(url)
        self.assertError(r, 401, "not_authenticated")

    def assertBadInputIsA400InChineseAndInEnglish(self, user, url: str, data: dict, field: str) -> None:
        """A field the input refuses: 400 naming the field, the message in Chinese, in English under
        Accept-Language: en."""
        body = self.assertError(self.post(user, url, data), 400, "invalid")
        self.assertIn(field, body["fields"])
        self.assertRegex(body["message"], CJK)
        self.assertRegex(body["fields"][field][0], CJK)
        with translation.override("zh-hans"):  # the request activates English; the next tests start in Chinese
            r = self.post(user, url, data, HTTP_ACCEPT_LANGUAGE="en")
        body = self.assertError(r, 400, "invalid")
        self.assertEqual(body["message"], "The submitted data is invalid.")
        self.assertNotRegex(body["fields"][field][0], CJK)
