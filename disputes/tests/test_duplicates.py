"""Duplicate hint: open cases of the same category in the same grid or within 100 m, in the last 7 days."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case
from disputes.selectors.cases import possible_duplicates
from disputes.tests.base import CaseTestCase, jpeg


class PossibleDuplicatesTestCase(CaseTestCase):
    def test_same_category_in_the_same_grid_is_a_possible_duplicate(self):
        case = self.file()
        found = possible_duplicates(self.carol, category_id=self.clutter.pk, grid_code=self.grid_a.code)
        self.assertEqual(found, [case])

    def test_a_case_in_the_next_grid_within_100_m_is_a_possible_duplicate(self):
        near = self.file(actor=self.gina, grid=self.grid_a2, lat="40.640000", lng="122.200000")
        far = self.file(actor=self.gina, grid=self.grid_a2, lat="40.642000", lng="122.200000")  # ~220 m north
        found = possible_duplicates(
            self.alice, category_id=self.clutter.pk, grid_code=self.grid_a.code, lat=40.64050, lng=122.2
        )
        self.assertEqual(found, [near])
        self.assertEqual(found[0].distance, 56)
        self.assertNotIn(far, found)

    def test_other_categories_closed_cases_and_old_cases_are_not_duplicates(self):
        self.file(category=self.road)
        self.file(self_handle=True, evidence_note="已处理", evidence=[jpeg()])
        old = self.file()
        Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
        self.assertEqual(possible_duplicates(self.carol, category_id=self.clutter.pk, grid_code=self.grid_a.code), [])

    def test_cases_outside_the_users_scope_are_not_shown(self):
        self.file(actor=self.gina, grid=self.grid_a2)
        self.assertEqual(possible_duplicates(self.carol, category_id=self.clutter.pk, grid_code=self.grid_a2.code), [])


class DuplicatesEndpointTestCase(CaseTestCase):
    def test_the_filing_form_gets_a_hint_fragment(self):
        self.file(title="已有的楼道堆物")
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/duplicates/?category={self.clutter.pk}&grid={self.grid_a.code}")
        self.assertContains(r, "可能重复")
        self.assertContains(r, "已有的楼道堆物")

    def test_nothing_similar_gives_an_empty_fragment(self):
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/duplicates/?category={self.clutter.pk}&grid={self.grid_a.code}&lat=&lng=")
        self.assertEqual(r.content.strip(), b"")

    def test_a_bad_location_gives_a_400(self):
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/duplicates/?category={self.clutter.pk}&grid={self.grid_a.code}&lat=x&lng=1")
        self.assertEqual(r.status_code, 400)

    def test_the_detail_page_offers_an_officer_to_merge_a_duplicate(self):
        original = self.file(title="原事件")
        dup = self.file(actor=self.ivan, title="重复事件")
        self.client.force_login(self.alice)
        r = self.client.get(f"/cases/{dup.pk}/")
        self.assertContains(r, 'data-testid="merge-box"')
        self.assertContains(r, f'name="original" value="{original.pk}"')
