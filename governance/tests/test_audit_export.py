"""/audit/export.xlsx: the search as an .xlsx, for the audit administrator only, and the export is
itself an audit row (who, the filters, the row count, the scope)."""

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from governance.actions import record_audit
from governance.models import AuditEvent
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user

URL = reverse("audit-export")


class AuditExportTests(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.alma = make_user("alma", "审计员", Role.AUDIT_ADMIN, cls.city)
        record_audit(actor=cls.alice, action="resident.update", target=cls.grid_a, region_code=cls.grid_a.code,
                     detail={"note": "=HYPERLINK(\"http://x\")"})
        record_audit(actor=cls.bob, action="resident.lookup", target=cls.bob, region_code=cls.wutaizi.code)

    def test_the_export_holds_the_search_and_is_audited_with_its_row_count(self):
        self.client.force_login(self.alma)
        response = self.client.get(URL, {"action": "resident."}, REMOTE_ADDR="10.1.2.3")
        self.assertEqual(response.status_code, 200)
        ws = load_workbook(BytesIO(response.content)).active
        rows = list(ws.iter_rows(values_only=True))
        self.assertEqual(rows[0][:5], ("编号", "时间", "操作人", "操作", "结果"))
        self.assertEqual([r[3] for r in rows[1:]], ["resident.lookup", "resident.update"])
        event = AuditEvent.objects.get(action="audit.export")
        self.assertEqual((event.actor, event.detail["rows"], event.detail["filters"], event.address),
                         (self.alma, 2, {"action": "resident."}, "10.1.2.3"))

    def test_text_that_a_spreadsheet_would_run_is_stored_as_text(self):
        self.client.force_login(self.alma)
        ws = load_workbook(BytesIO(self.client.get(URL, {"actor": "alice"}).content)).active
        detail = [c for c in next(ws.iter_rows(min_row=2)) if c.value and "HYPERLINK" in str(c.value)][0]
        self.assertEqual(detail.data_type, "s")

    def test_a_bad_filter_is_a_400_and_exports_nothing(self):
        self.client.force_login(self.alma)
        self.assertEqual(self.client.get(URL, {"start": "x"}).status_code, 400)
        self.assertFalse(AuditEvent.objects.filter(action="audit.export").exists())
