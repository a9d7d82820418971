"""Department handlers reach a case only once it is dispatched to their department or to them,
and keep reading it (no more) after it moved on. Before: Cap.VIEW on their street showed them
every case of it — undispatched ones, photos, disputes, risks, exports."""

from openpyxl import load_workbook

from disputes.actions import cases as actions
from disputes.tests.dispute_base import DisputeTestCase
from governance.models import Department, DepartmentKind
from governance.roles import Role
from governance.tests.base import make_user


class HandlerReachTestCase(DisputeTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.justice = Department.objects.create(name="八田地司法所", kind=DepartmentKind.JUSTICE, region=cls.batiandi)
        cls.ken = make_user("ken", "肯", Role.DEPT_HANDLER, cls.batiandi, department=cls.justice)

    def export_numbers(self, user) -> list[str]:
        self.client.force_login(user)
        r = self.client.get("/cases/export.xlsx")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(__import__("io").BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
        return [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]

    def test_a_handler_gets_404_on_an_undispatched_case_of_their_street(self):
        case = self.file()
        self.client.force_login(self.heidi)
        self.assertEqual(self.client.get(f"/cases/{case.pk}/").status_code, 404)

    def test_a_handler_may_not_comment_on_an_undispatched_case(self):
        case = self.file()
        self.client.force_login(self.heidi)
        self.assertEqual(self.client.post(f"/cases/{case.pk}/comment/", {"note": "看一眼"}).status_code, 404)

    def test_a_handler_of_another_department_gets_404_on_a_dispatched_case(self):
        case = self.assigned(department=self.police_a)
        self.client.force_login(self.ken)
        self.assertEqual(self.client.get(f"/cases/{case.pk}/").status_code, 404)

    def test_the_export_lists_only_what_was_dispatched_to_the_handler(self):
        self.file()
        dispatched = self.assigned(department=self.police_a)
        self.assertEqual(self.export_numbers(self.heidi), [dispatched.number])
        self.assertEqual(self.export_numbers(self.ken), [])

    def test_a_dispatched_case_is_reached_and_handled(self):
        case = self.assigned(department=self.police_a)
        self.client.force_login(self.heidi)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, f'action="/cases/{case.pk}/handle/"')

    def test_after_the_case_moved_on_the_handler_still_reads_it_but_may_not_comment(self):
        case = self.assigned(department=self.police_a)
        actions.do_assign_case(actor=self.alice, case=case, version=case.version, department=self.justice)
        self.client.force_login(self.heidi)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, f'action="/cases/{case.pk}/comment/"')
        self.assertEqual(self.client.post(f"/cases/{case.pk}/comment/", {"note": "补充"}).status_code, 403)

    def test_a_handler_sees_no_risk_register_and_no_disputes_of_the_street(self):
        dispute = self.mediating()
        self.client.force_login(self.heidi)
        self.assertEqual(self.client.get(f"/disputes/{dispute.pk}/").status_code, 404)
        self.assertNotContains(self.client.get("/disputes/risks/"), dispute.case.title)

    def test_the_territory_page_counts_no_cases_for_a_handler(self):
        self.file()
        self.client.force_login(self.heidi)
        r = self.client.get(f"/territory/{self.batiandi.code}/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["open_total"], 0)
