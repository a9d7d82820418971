"""POST /api/v1/cases/{id}/<action>/: each step of the loop through the same do_* action as the case
page: in scope it acts, outside it is 404, the wrong role is 403, a stale version is 409."""

from api.tests.base import ApiTestCase
from disputes.models import Extension, Status
from governance.models import AuditEvent


def url(case, name):
    return f"/api/v1/cases/{case.pk}/{name}/"


class CaseActionsApiTestCase(ApiTestCase):
    def test_accept_in_scope_out_of_scope_wrong_role_and_stale(self):
        case = self.file()
        self.assertError(self.post(self.bob, url(case, "accept"), {"version": case.version}), 404)
        self.assertError(self.post(self.carol, url(case, "accept"), {"version": case.version}), 403, "permission_denied")
        r = self.post(self.alice, url(case, "accept"), {"version": case.version, "note": "受理"})
        self.assertEqual((r.status_code, r.json()["status"]), (200, Status.ACCEPTED))
        self.assertEqual(AuditEvent.objects.filter(action="case.accept").count(), 1)
        self.assertError(self.post(self.alice, url(case, "reject"), {"version": case.version, "reason": "重复"}), 409,
                         "conflict")

    def test_a_missing_version_is_a_400_naming_it(self):
        case = self.file()
        self.assertIn("version", self.assertError(self.post(self.alice, url(case, "accept"), {}), 400)["fields"])

    def test_reject(self):
        case = self.file()
        self.assertError(self.post(self.carol, url(case, "reject"), {"version": 1, "reason": "重复"}), 403)
        self.assertEqual(self.post(self.alice, url(case, "reject"), {"version": 1, "reason": "重复"}).json()["status"],
                         Status.REJECTED)

    def test_assign_to_a_person_or_a_department(self):
        case = self.accepted()
        self.assertError(self.post(self.carol, url(case, "assign"), {"version": case.version, "assignee": "carol"}), 403)
        self.assertError(self.post(self.alice, url(case, "assign"), {"version": case.version, "assignee": "ghost"}), 400)
        r = self.post(self.alice, url(case, "assign"), {"version": case.version, "department": self.police_a.pk})
        self.assertEqual((r.json()["status"], r.json()["handler"]), (Status.ASSIGNED, "八田地派出所"))

    def test_handle_by_the_assignee_only(self):
        case = self.assigned(assignee=self.carol)
        self.assertError(self.post(self.gina, url(case, "handle"), {"version": case.version, "note": "x"}), 404)
        self.assertError(self.post(self.alice, url(case, "handle"), {"version": case.version, "note": "x"}), 403)
        self.assertEqual(self.post(self.carol, url(case, "handle"), {"version": case.version, "note": "已清理"}).json()["status"],
                         Status.HANDLED)

    def test_verify_then_rate(self):
        case = self.handled()
        self.assertError(self.post(self.heidi, url(case, "verify"), {"version": case.version, "fixed": True}), 404)
        r = self.post(self.carol, url(case, "verify"), {"version": case.version, "fixed": True})
        self.assertEqual(r.json()["status"], Status.CLOSED)
        self.assertError(self.post(self.bob, url(case, "rate"), {"version": r.json()["version"], "rating": 5}), 404)
        self.assertEqual(self.post(self.carol, url(case, "rate"), {"version": r.json()["version"], "rating": 5}).json()["rating"], 5)

    def test_comment_needs_no_version(self):
        case = self.file()
        r = self.post(self.alice, url(case, "comment"), {"note": "已电话联系"})
        self.assertEqual(r.json()["events"][-1]["action"], "comment")
        self.assertError(self.post(self.bob, url(case, "comment"), {"note": "x"}), 404)

    def test_escalate(self):
        case = self.file()
        self.assertError(self.post(self.carol, url(case, "escalate"), {"version": 1, "reason": "久拖"}), 403)
        self.assertEqual(self.post(self.alice, url(case, "escalate"), {"version": 1, "reason": "久拖"}).status_code, 200)

    def test_extend_and_decide(self):
        case = self.assigned(assignee=self.carol)
        self.assertError(self.post(self.alice, url(case, "extend"), {"version": case.version, "days": 2, "reason": "等材料"}), 403)
        r = self.post(self.carol, url(case, "extend"), {"version": case.version, "days": 2, "reason": "等材料"})
        self.assertEqual(r.status_code, 200, r.content)
        ext = Extension.objects.get(case=case)
        self.assertEqual(r.json()["pending_extension"]["id"], ext.pk)
        data = {"version": r.json()["version"], "extension": ext.pk, "grant": True}
        self.assertError(self.post(self.carol, url(case, "decide-extension"), data), 403)
        self.assertEqual(self.post(self.alice, url(case, "decide-extension"), data).status_code, 200)

    def test_merge(self):
        original, duplicate = self.file(), self.file(title="重复")
        data = {"version": duplicate.version, "original": original.pk}
        self.assertError(self.post(self.carol, url(duplicate, "merge"), data), 403)
        self.assertEqual(self.post(self.alice, url(duplicate, "merge"), data).json()["status"], Status.MERGED)
