"""The periodic follow-up reminder: a follow-up that is due sends its owner one in-app notice, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes.models import FollowUp, Notice
from disputes.tasks.mediation import remind_follow_ups
from disputes.tests.dispute_base import DisputeTestCase


class FollowUpReminderTestCase(DisputeTestCase):
    def test_a_due_follow_up_reminds_its_owner_once(self):
        d = self.settled()
        first = d.follow_ups.order_by("due").first()
        FollowUp.objects.filter(pk=first.pk).update(due=timezone.localdate())
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(remind_follow_ups(), {"reminded": 1})
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(remind_follow_ups(), {"reminded": 0})
        self.assertEqual(list(Notice.objects.values_list("user__username", "kind")), [("mona", "due_soon")])
        self.assertIn("回访", Notice.objects.get().text)

    def test_follow_ups_not_yet_due_done_or_cancelled_are_left_alone(self):
        d = self.settled()
        a, b = d.follow_ups.order_by("due")
        FollowUp.objects.filter(pk=a.pk).update(due=timezone.localdate() - timedelta(days=1), done_at=timezone.now())
        FollowUp.objects.filter(pk=b.pk).update(due=timezone.localdate(), cancelled=True)
        self.assertEqual(remind_follow_ups(), {"reminded": 0})
        self.assertEqual(self.settled().follow_ups.filter(reminded_at__isnull=False).count(), 0)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reminds_the_owner_of_a_due_follow_up(celery_worker_process):
    from disputes.actions import cases as actions
    from disputes.actions import mediation as ma
    from disputes.models import Category, DisputeType
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    officer = make_user("o", "街道干部", Role.STREET_OFFICER, street)
    mediator = make_user("m", "调解员", Role.MEDIATOR, street)
    Category.objects.create(code="01", name="矛盾纠纷")
    kind = DisputeType.objects.create(code="02", name="邻里纠纷")
    d = ma.do_file_dispute(
        actor=worker, grid=grid, dispute_type=kind, title="漏水纠纷", description="楼上漏水",
        parties=[{"side": "applicant", "name": "甲"}, {"side": "respondent", "name": "乙"}],
    )
    case = actions.do_accept_case(actor=officer, case=d.case, version=d.case.version)
    case = actions.do_assign_case(actor=officer, case=case, version=case.version, assignee=mediator)
    ma.do_settle_dispute(actor=mediator, dispute=d, version=case.version, facts="漏水", terms="赔偿", performance="现金",
                         follow_up_days=(0, 30))
    assert remind_follow_ups.delay().get(timeout=60) == {"reminded": 1}
    notice = Notice.objects.get(user=mediator, kind="due_soon")
    assert "回访" in notice.text
    assert remind_follow_ups.delay().get(timeout=60) == {"reminded": 0}
