"""POST /cases/<id>/<action>/ (one view per action): the loop over HTTP, refusals as 403/400/409 with Chinese messages,
and two officers acting at the same moment: one wins, the other is told the case changed."""

from django.test import Client

from disputes.models import Case, CaseEvent, Status
from disputes.tests.base import CaseTestCase, jpeg


class CaseActTestCase(CaseTestCase):
    def post(self, user, case, name, **data):
        self.client.force_login(user)
        data.setdefault("version", Case.objects.get(pk=case.pk).version)
        return self.client.post(f"/cases/{case.pk}/{name}/", data)

    def test_the_whole_loop_over_http(self):
        case = self.file()
        self.assertRedirects(self.post(self.alice, case, "accept"), f"/cases/{case.pk}/")
        self.assertRedirects(self.post(self.alice, case, "assign", department=self.police_a.pk), f"/cases/{case.pk}/")
        self.client.force_login(self.heidi)
        r = self.client.post(f"/cases/{case.pk}/handle/", {
            "version": Case.objects.get(pk=case.pk).version, "note": "已处置", "evidence": [jpeg()],
        })
        self.assertEqual(r.status_code, 302)
        self.assertRedirects(self.post(self.carol, case, "verify", fixed="1"), f"/cases/{case.pk}/")
        self.assertRedirects(self.post(self.carol, case, "rate", rating="5"), f"/cases/{case.pk}/")
        case.refresh_from_db()
        self.assertEqual((case.status, case.rating), (Status.CLOSED, 5))

    def test_two_officers_accept_and_reject_at_the_same_moment_and_one_is_told(self):
        case = self.file()
        alice, dave = Client(), Client()
        alice.force_login(self.alice)
        dave.force_login(self.dave)
        # Both opened the page at version 1.
        self.assertContains(alice.get(f"/cases/{case.pk}/"), 'name="version" value="1"')
        self.assertContains(dave.get(f"/cases/{case.pk}/"), 'name="version" value="1"')
        r1 = alice.post(f"/cases/{case.pk}/accept/", {"version": "1", "note": "受理"})
        r2 = dave.post(f"/cases/{case.pk}/reject/", {"version": "1", "reason": "重复上报"})
        self.assertEqual(r1.status_code, 302)
        self.assertContains(r2, "该事件已被他人更新，请刷新后重试。", status_code=409)
        case.refresh_from_db()
        self.assertEqual((case.status, case.version), (Status.ACCEPTED, 2))
        self.assertEqual(case.events.filter(action__in=["accept", "reject"]).count(), 1)
        # The refreshed page carries the new version, and acting on it works.
        self.assertContains(r2, 'name="version" value="2"', status_code=409)

    def test_a_stale_handler_keeps_what_they_typed(self):
        case = self.assigned()
        r = self.post(self.carol, case, "handle", version=case.version - 1, note="我写了很长的处置说明")
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "我写了很长的处置说明", status_code=409)

    def test_comments_from_two_people_at_once_are_both_kept(self):
        case = self.file()
        self.post(self.alice, case, "comment", note="第一条", version="1")
        self.post(self.carol, case, "comment", note="第二条", version="1")
        self.assertEqual(case.events.filter(action=CaseEvent.Action.COMMENT).count(), 2)

    def test_a_grid_worker_accepting_gets_403_in_chinese(self):
        case = self.file()
        self.assertContains(self.post(self.carol, case, "accept"), "没有在该辖区执行此操作的权限", status_code=403)

    def test_a_wrong_state_gets_400_in_chinese(self):
        case = self.file()
        self.assertContains(self.post(self.carol, case, "verify", fixed="1"), "不能核查", status_code=400)

    def test_a_missing_version_gets_400(self):
        case = self.file()
        self.client.force_login(self.alice)
        r = self.client.post(f"/cases/{case.pk}/accept/", {})
        self.assertContains(r, "表单已过期", status_code=400)

    def test_nonsense_values_get_400_not_500(self):
        case = self.accepted()
        self.assertEqual(self.post(self.alice, case, "assign", assignee="abc").status_code, 400)
        self.assertEqual(self.post(self.alice, case, "assign", assignee="99999").status_code, 400)
        self.assertEqual(self.post(self.alice, case, "assign", assignee=self.carol.pk, deadline="明天").status_code, 400)
        self.assertEqual(self.post(self.alice, case, "verify", fixed="maybe").status_code, 400)
        self.assertEqual(self.post(self.alice, case, "merge", original="x").status_code, 400)

    def test_a_department_outside_the_territory_cannot_be_picked(self):
        from governance.models import Department, DepartmentKind

        other = Department.objects.create(name="五台子派出所", kind=DepartmentKind.POLICE, region=self.wutaizi)
        case = self.accepted()
        self.assertContains(self.post(self.alice, case, "assign", department=other.pk), "处置部门不存在", status_code=400)

    def test_an_unknown_action_is_404(self):
        case = self.file()
        self.assertEqual(self.post(self.alice, case, "explode").status_code, 404)

    def test_acting_on_a_case_outside_the_scope_is_404(self):
        case = self.file()
        self.assertEqual(self.post(self.bob, case, "accept").status_code, 404)

    def test_get_is_not_allowed(self):
        case = self.file()
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(f"/cases/{case.pk}/accept/").status_code, 405)

    def test_an_extension_is_requested_and_granted_over_http(self):
        case = self.assigned(department=self.police_a)
        self.assertEqual(self.post(self.heidi, case, "extend", days="2", reason="等待配件").status_code, 302)
        ext = case.extensions.get()
        self.assertEqual(self.post(self.alice, case, "decide", extension=ext.pk, grant="1").status_code, 302)
        ext.refresh_from_db()
        self.assertEqual(ext.state, "granted")

    def test_a_duplicate_is_merged_over_http(self):
        original, dup = self.file(), self.file(actor=self.ivan)
        r = self.post(self.alice, dup, "merge", original=original.pk)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Case.objects.get(pk=dup.pk).merged_into, original)
