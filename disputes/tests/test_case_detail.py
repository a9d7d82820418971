"""/cases/<id>/: the case with its timeline and the actions this user may take; 404 outside scope."""

from disputes.actions import cases as actions
from disputes.tests.base import CaseTestCase, jpeg
from disputes.tests.link_base import ZHANG_ID, LinkTestCase
from governance.models import Department, DepartmentKind
from governance.roles import Role
from governance.tests.base import make_user
from parties.pii import mask_id_number

MASKED_ID = mask_id_number("11010519491231002X")  # what a user who may not reveal sees


class CaseDetailTestCase(CaseTestCase):
    def test_the_filer_sees_the_case_and_its_timeline(self):
        case = self.assigned()
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, "楼道堆放杂物")
        self.assertContains(r, "受理")
        self.assertContains(r, "派遣至：卡萝")
        self.assertContains(r, 'data-testid="handle-form"')

    def test_the_street_officer_sees_accept_and_reject_on_a_reported_case(self):
        case = self.file()
        self.client.force_login(self.alice)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, f'action="/cases/{case.pk}/accept/"')
        self.assertContains(r, f'action="/cases/{case.pk}/reject/"')
        self.assertContains(r, f'name="version" value="{case.version}"')

    def test_a_grid_worker_sees_no_accept_button(self):
        case = self.file()
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(f"/cases/{case.pk}/"), "/accept/")

    def test_it_returns_404_to_a_grid_worker_of_another_grid(self):
        case = self.file()
        self.client.force_login(self.gina)
        self.assertEqual(self.client.get(f"/cases/{case.pk}/").status_code, 404)

    def test_it_returns_404_to_the_other_district(self):
        case = self.file()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/cases/{case.pk}/").status_code, 404)

    def test_a_department_handler_sees_a_case_dispatched_to_them_from_another_street(self):
        urban = Department.objects.create(name="站前区城管局", kind=DepartmentKind.URBAN, region=self.zhanqian)
        kate = make_user("kate", "凯特", Role.DEPT_HANDLER, self.batiandi, department=urban)
        judy = make_user("judy", "朱迪", Role.STREET_OFFICER, self.jianshe)
        case = self.file(actor=judy, grid=self.grid_c)  # 建设街道: outside kate's 八田地街道
        case = actions.do_accept_case(actor=self.dave, case=case, version=case.version)
        self.client.force_login(kate)
        self.assertEqual(self.client.get(f"/cases/{case.pk}/").status_code, 404)
        actions.do_assign_case(actor=self.dave, case=case, version=case.version, department=urban)
        self.assertContains(self.client.get(f"/cases/{case.pk}/"), 'data-testid="handle-form"')

    def test_the_query_count_does_not_grow_with_the_timeline(self):
        case = self.assigned(photos=[jpeg()])
        self.client.force_login(self.alice)
        # + linked residents and units, the dispute types (转为矛盾纠纷); the case's object grants read once
        with self.assertNumQueries(19):
            self.client.get(f"/cases/{case.pk}/")
        for i in range(10):
            actions.do_comment_case(actor=self.alice, case=case, note=f"备注{i}")
        with self.assertNumQueries(19):
            r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, "备注9")




class CaseDetailRegisterLinkTestCase(LinkTestCase):
    def linked(self):
        return self.file(residents=[self.zhang.pk], units=[self.shop.pk], involved="一名外来人员")

    def test_linked_residents_are_shown_masked_with_a_link_to_the_register(self):
        case = self.linked()
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, 'data-testid="linked-residents"')
        self.assertContains(r, f'<a href="/registers/residents/{self.zhang.pk}/">张三</a>')
        self.assertContains(r, MASKED_ID)
        self.assertNotContains(r, ZHANG_ID)
        self.assertContains(r, f'<a href="/registers/units/{self.shop.pk}/">五大门便民超市</a>')
        self.assertContains(r, "一名外来人员")

    def test_a_department_handler_sees_the_names_masked_but_no_register_link(self):
        case = self.assigned(department=self.police_a, residents=[self.zhang.pk])
        self.client.force_login(self.heidi)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, "张三")
        self.assertContains(r, MASKED_ID)
        self.assertNotContains(r, "/registers/residents/")
        self.assertNotContains(r, ZHANG_ID)

    def test_the_handling_form_is_hidden_for_a_dispute(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.client.get(f"/cases/{d.pk}/")
        self.assertContains(r, 'data-testid="dispute-link"')
        self.assertNotContains(r, 'data-testid="handle-form"')

    def test_the_handling_form_is_still_shown_for_a_plain_case(self):
        case = self.assigned(assignee=self.carol)
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(f"/cases/{case.pk}/"), 'data-testid="handle-form"')
