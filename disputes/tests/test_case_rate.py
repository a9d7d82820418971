"""/cases/<id>/rate/: the filer rates her closed case once, not her own self-handled one; the
timeline shows the stars."""

from disputes.actions import cases as actions
from disputes.models import Case
from disputes.tests.base import CaseTestCase, jpeg


class RateTestCase(CaseTestCase):
    def post(self, user, case, **data):
        self.client.force_login(user)
        data.setdefault("version", Case.objects.get(pk=case.pk).version)
        data.setdefault("rating", "4")
        return self.client.post(f"/cases/{case.pk}/rate/", data)

    def closed(self):
        case = self.handled(department=self.police_a)
        return actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=True)

    def test_the_filer_rates_and_the_timeline_shows_the_stars(self):
        case = self.closed()
        self.assertEqual(self.post(self.carol, case).status_code, 302)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(r, 'data-testid="timeline-rating"')
        self.assertContains(r, "★★★★☆")

    def test_the_filer_of_a_self_handled_case_may_not_rate_it(self):
        case = self.file(self_handle=True, evidence_note="已清理", evidence=[jpeg()])
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(f"/cases/{case.pk}/"), 'action="/cases/%d/rate/"' % case.pk)
        self.assertEqual(self.post(self.carol, case).status_code, 403)
        self.assertIsNone(Case.objects.get(pk=case.pk).rating)

    def test_a_verifier_may_rate_a_self_handled_case_for_the_resident(self):
        case = self.file(self_handle=True, evidence_note="已清理", evidence=[jpeg()])
        self.assertEqual(self.post(self.alice, case).status_code, 302)
