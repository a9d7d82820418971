"""The configuration tables on top of CaseTestCase: a city admin (root), a few dispute types and
calendar days, a department in each district, and helpers that build and upload spreadsheets.

Who is who here: root is ADMIN of 营口市 (city-wide tables and every department); frank is ADMIN of
西市区 (departments of 西市区 only); alice, a street officer, configures nothing."""

from __future__ import annotations

from datetime import date

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from disputes.models import CalendarDay, DisputeType
from disputes.tests.base import CaseTestCase
from governance.models import Department, DepartmentKind
from governance.roles import Role
from governance.tests.base import make_user


def xlsx(headers: list[str], *rows: list) -> bytes:
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def csv_text(headers: list[str], *rows: list) -> str:
    return "\r\n".join(",".join(str(v) for v in line) for line in [headers, *rows]) + "\r\n"


class ConfigTablesTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_user("root", "市管理员", Role.ADMIN, cls.city)
        cls.neighbour = DisputeType.objects.create(code="02", name="邻里纠纷", sort=2)
        cls.property_type = DisputeType.objects.create(code="03", name="物业纠纷", sort=3, is_active=False)
        cls.national_day = CalendarDay.objects.create(date=date(2026, 10, 1), kind="holiday", note="国庆节")
        cls.make_up_day = CalendarDay.objects.create(date=date(2026, 10, 10), kind="workday", note="调休")
        cls.police_b = Department.objects.create(name="五台子派出所", kind=DepartmentKind.POLICE, region=cls.wutaizi)

    def upload(self, table: str, content: bytes, name: str = "配置.xlsx") -> HttpResponse:
        return self.client.post(f"/cases/config/{table}/import/", {"file": SimpleUploadedFile(name, content)})

    def confirm(self, table: str, preview: HttpResponse) -> HttpResponse:
        payload = preview.context["payload"]
        self.assertTrue(payload, "the preview offers no confirm")
        return self.client.post(f"/cases/config/{table}/import/confirm/", {"payload": payload})

    def counts(self, response: HttpResponse) -> dict[str, int]:
        return response.context["counts"]

    def export(self, table: str) -> bytes:
        r = self.client.get(f"/cases/config/{table}/export.xlsx")
        self.assertEqual(r.status_code, 200)
        return r.content
