"""/cases/<id>/assign/: 派遣 offers and accepts only people who work cases there, and the timeline
shows the deadline it set."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case
from disputes.tests.base import CaseTestCase
from governance.roles import Role
from governance.tests.base import make_user


class AssignTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_user("root", "系统管理员", Role.ADMIN, cls.city)

    def test_the_assignee_list_leaves_out_the_city_leader_and_the_admin(self):
        case = self.accepted()
        self.client.force_login(self.alice)
        people = {u.username for u in self.client.get(f"/cases/{case.pk}/").context["people"]}
        self.assertIn("carol", people)
        self.assertIn("ivan", people)
        self.assertIn("alice", people)
        self.assertNotIn("erin", people)  # city leader
        self.assertNotIn("root", people)  # system admin
        self.assertNotIn("dave", people)  # district centre
        self.assertNotIn("heidi", people)  # departments are chosen as departments

    def test_the_city_leader_is_refused_as_assignee(self):
        case = self.accepted()
        self.client.force_login(self.alice)
        r = self.client.post(f"/cases/{case.pk}/assign/", {"version": case.version, "assignee": self.erin.pk})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "不能作为处置人", status_code=400)
        self.assertIsNone(Case.objects.get(pk=case.pk).assignee_id)

    def test_the_timeline_shows_the_deadline_set_at_dispatch(self):
        case = self.accepted()
        due = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
        self.client.force_login(self.alice)
        self.client.post(f"/cases/{case.pk}/assign/", {"version": case.version, "assignee": self.carol.pk,
                                                        "deadline": f"{due:%Y-%m-%dT%H:%M}"})
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, 'data-testid="timeline-deadline"')
        self.assertContains(r, f"{due:%Y-%m-%d %H:%M}")
