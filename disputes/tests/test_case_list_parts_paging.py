"""The case list pages its parts (keyset_page's `parts`: each part bounded, ordered and limited alike,
merged newest first, each case once) to exactly the pages the one OR query gives: the same rows, keys
and first-page flags, forwards with `after` and backwards with `before`, with and without filters."""

import re

from disputes.selectors.cases import case_list, case_list_parts
from disputes.tests.parts_base import CasePartsTestCase
from governance.models import User
from governance.pagination import encode_key, keyset_page

SIZE = 4
FILTERS = [{}, {"status": "open"}, {"category": "CLUTTER", "q": "楼道"}, {"status": "closed", "grid": "210802"},
           {"from": "2000-01-01", "kind": "case"}]


def shape(page) -> tuple:
    return [row.pk for row in page.rows], page.next_key, page.prev_key, page.is_first


class CaseListPartsPagingTestCase(CasePartsTestCase):
    def params(self, filters: dict) -> dict:
        return {k: str(self.clutter.pk) if v == "CLUTTER" else v for k, v in filters.items()}

    def both(self, user: User, params: dict, **keys) -> tuple:
        """(the page read in parts, the page of the OR query) at the same key."""
        qs, _cleaned, errors = case_list(User.objects.get(pk=user.pk), params)
        self.assertEqual(errors, [])
        parts = case_list_parts(User.objects.get(pk=user.pk), params)
        split = keyset_page(qs, time_field="created_at", size=SIZE, parts=parts, **keys)
        whole = keyset_page(qs, time_field="created_at", size=SIZE, **keys)
        return split, whole

    def walk(self, user: User, params: dict) -> int:
        """Page forwards to the end and backwards to the start, comparing every page; the pages walked."""
        split, whole = self.both(user, params)
        self.assertEqual(shape(split), shape(whole))
        pages, seen = 1, [row.pk for row in split.rows]
        while split.next_key:
            split, whole = self.both(user, params, after=split.next_key)
            self.assertEqual(shape(split), shape(whole))
            seen += [row.pk for row in split.rows]
            pages += 1
        self.assertEqual(len(seen), len(set(seen)))  # no case twice, though it is in two parts
        while split.prev_key:
            split, whole = self.both(user, params, before=split.prev_key)
            self.assertEqual(shape(split), shape(whole))
        self.assertTrue(split.is_first)
        return pages

    def test_every_page_forwards_and_backwards_is_the_page_of_the_or_query(self):
        walked = {}
        for who, user in self.people().items():
            for filters in FILTERS:
                with self.subTest(who=who, filters=filters):
                    walked[(who, tuple(filters))] = self.walk(user, self.params(filters))
        # The comparison pages: several pages for the users with several parts.
        self.assertGreater(walked[("street officer", ())], 3)
        self.assertGreater(walked[("grid worker of two grids", ())], 2)
        self.assertGreater(walked[("object grant", ())], 2)

    def test_a_before_key_between_rows_and_one_past_the_newest_give_the_pages_of_the_or_query(self):
        newest = max(self.cases, key=lambda c: (c.created_at, c.pk))
        for who in ("street officer", "grid worker of two grids", "object grant", "department handler"):
            user = self.people()[who]
            for case in (self.cases[10], self.cases[40], newest):
                with self.subTest(who=who, case=case.pk):
                    split, whole = self.both(user, {}, before=encode_key(case.created_at, case.pk))
                    self.assertEqual(shape(split), shape(whole))
                    split, whole = self.both(user, {}, after=encode_key(case.created_at, case.pk))
                    self.assertEqual(shape(split), shape(whole))

    def test_the_count_is_of_the_whole_list(self):
        qs, _c, _e = case_list(self.alice, {})
        page = keyset_page(qs, time_field="created_at", size=SIZE, parts=case_list_parts(self.alice, {}))
        self.assertIs(page.counted, qs)
        self.assertEqual(page.count, qs.count())


class CaseListPagePartsTestCase(CasePartsTestCase):
    """/cases/ itself: the street officer's pages are those of her whole list, newest first."""

    def test_the_list_page_walks_the_street_officers_cases_newest_first(self):
        from unittest import mock

        self.client.force_login(self.alice)
        qs, _c, _e = case_list(self.alice, {})
        expected = list(qs.order_by("-created_at", "-pk").values_list("pk", flat=True))
        shown, url = [], "/cases/"
        with mock.patch("disputes.views.cases.PAGE_SIZE", 5):
            while url:
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                shown += [c.pk for c in r.context["page"]]
                m = re.search(r'href="([^"]*)" rel="next"', r.content.decode())
                url = "/cases/" + m.group(1).replace("&amp;", "&") if m else None
        self.assertEqual(shown, expected)
