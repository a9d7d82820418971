"""/cases/todo/: the cases waiting for this user's action, soonest deadline first, overdue highlighted."""

from datetime import timedelta

from django.utils import timezone

from disputes.actions import cases as actions
from disputes.models import Case
from disputes.tests.base import CaseTestCase


class TodoTestCase(CaseTestCase):
    def titles(self, user):
        self.client.force_login(user)
        r = self.client.get("/cases/todo/")
        self.assertEqual(r.status_code, 200)
        return [c.title for c in r.context["cases"]]

    def test_each_role_sees_what_waits_for_them(self):
        self.file(title="待受理")
        self.accepted(title="待派遣")
        self.assigned(title="待我处置", assignee=self.carol)
        self.assigned(title="待部门处置", department=self.police_a)
        self.handled(title="待核查", assignee=self.carol)
        self.assertEqual(sorted(self.titles(self.alice)), sorted(["待受理", "待派遣", "待核查"]))
        self.assertEqual(sorted(self.titles(self.carol)), sorted(["待我处置", "待核查"]))
        self.assertEqual(self.titles(self.heidi), ["待部门处置"])
        self.assertEqual(self.titles(self.bob), [])

    def test_soonest_deadline_comes_first_and_overdue_is_highlighted(self):
        later, sooner, late = self.file(title="晚"), self.file(title="早"), self.file(title="超期")
        now = timezone.now()
        Case.objects.filter(pk=later.pk).update(deadline=now + timedelta(days=2))
        Case.objects.filter(pk=sooner.pk).update(deadline=now + timedelta(hours=1))
        Case.objects.filter(pk=late.pk).update(deadline=now - timedelta(hours=1))
        self.assertEqual(self.titles(self.alice), ["超期", "早", "晚"])
        self.assertContains(self.client.get("/cases/todo/"), "case-card overdue", count=1)

    def test_pending_extensions_wait_for_the_level_above(self):
        case = self.assigned(department=self.police_a)
        actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="等待配件")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/cases/todo/"), "等待配件")
        self.client.force_login(self.heidi)
        self.assertNotContains(self.client.get("/cases/todo/"), "等待配件")

    def test_the_query_count_is_bounded(self):
        for i in range(5):
            self.assigned(title=f"事件{i}")
        self.client.force_login(self.carol)
        with self.assertNumQueries(8):  # one page of each section
            self.client.get("/cases/todo/")
