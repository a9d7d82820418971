from datetime import datetime, timedelta, timezone

from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.utils import translation

from governance.models import AuditEvent
from governance.pagination import BadPageKey, CappedPaginator, decode_key, encode_key, keyset_page, pager_links


class CappedPaginatorTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        AuditEvent.objects.bulk_create(
            AuditEvent(action="x", target_type="t", target_id=str(i)) for i in range(25)
        )

    def paginator(self, cap):
        paginator = CappedPaginator(AuditEvent.objects.order_by("id"), 10)
        paginator.cap = cap
        return paginator

    def test_it_counts_exactly_below_the_cap(self):
        paginator = self.paginator(100)
        self.assertEqual((paginator.count, paginator.num_pages, paginator.is_capped), (25, 3, False))

    def test_it_stops_counting_past_the_cap(self):
        paginator = self.paginator(12)
        self.assertEqual(paginator.count, 13)
        self.assertTrue(paginator.is_capped)
        self.assertEqual(len(paginator.page(2).object_list), 3)

    def test_the_count_query_is_limited(self):
        paginator = self.paginator(12)
        with self.assertNumQueries(1) as ctx:
            _ = paginator.count
        self.assertIn("LIMIT 13", ctx.captured_queries[0]["sql"])

    def test_the_count_leaves_out_the_list_s_order_and_joins(self):
        # Which rows reach the limit does not matter to the count; ordered, PostgreSQL walks the list's
        # order to the limit (a department's cases at 2 M: 78 ms instead of 8).
        page = keyset_page(AuditEvent.objects.select_related("actor").order_by("-at", "-id"), time_field="at", size=5)
        page.cap = 12
        with self.assertNumQueries(1) as ctx:
            self.assertEqual(page.count, 13)
        sql = ctx.captured_queries[0]["sql"]
        self.assertNotIn("ORDER BY", sql)
        self.assertNotIn("JOIN", sql)
        self.assertEqual(self.paginator(100).count, 25)


class KeysetPageTestCase(TestCase):
    """keyset_page over (time, pk), newest first: ties on the time broken by the pk."""

    @classmethod
    def setUpTestData(cls):
        base = datetime(2026, 11, 23, 8, 0, 0, 123456, tzinfo=timezone.utc)
        # ids 1..9; every two share a timestamp
        for i in range(9):  # audit rows are append-only: `at` is given when the row is written
            AuditEvent.objects.create(action="x", target_type="t", target_id=str(i), at=base + timedelta(seconds=i // 2))

    def walk(self, size):
        qs, seen, after = AuditEvent.objects.all(), [], None
        while True:
            page = keyset_page(qs, time_field="at", after=after, size=size)
            seen += [e.target_id for e in page]
            if not page.has_next:
                return seen
            after = page.next_key

    def test_walking_forward_visits_every_row_once_in_order(self):
        expected = ["8", "7", "6", "5", "4", "3", "2", "1", "0"]
        self.assertEqual(AuditEvent.objects.filter(at=AuditEvent.objects.get(target_id="7").at).count(), 2)
        for size in (1, 2, 3, 4, 9, 10):
            self.assertEqual(self.walk(size), expected, size)

    def test_a_key_survives_the_round_trip_to_the_microsecond(self):
        e = AuditEvent.objects.first()
        self.assertEqual(decode_key(encode_key(e.at, e.pk)), (e.at, e.pk))

    def test_keys_it_did_not_write_are_refused(self):
        for junk in ["", "x", "1", "1.", ".1", "1.2.3", "-1.1", "1.-1", "１.1", "1.99999999999999999999"]:
            with self.assertRaises(BadPageKey, msg=junk):
                decode_key(junk)


class KeysetPageByThePkTestCase(TestCase):
    """keyset_page without a time field: newest first by the pk, the key is the pk itself."""

    @classmethod
    def setUpTestData(cls):
        cls.ids = [AuditEvent.objects.create(action="x", target_type="t", target_id=str(i)).pk for i in range(7)]

    def test_walking_forward_and_back_visits_every_row_once_in_order(self):
        qs = AuditEvent.objects.all()
        first = keyset_page(qs, size=3, counted=False)
        second = keyset_page(qs, after=first.next_key, size=3, counted=False)
        third = keyset_page(qs, after=second.next_key, size=3, counted=False)
        newest_first = self.ids[::-1]
        self.assertEqual([e.pk for p in (first, second, third) for e in p], newest_first)
        self.assertEqual(first.next_key, str(newest_first[2]))
        self.assertIsNone(first.prev_key)
        self.assertFalse(third.has_next)
        back = keyset_page(qs, before=third.prev_key, size=3, counted=False)
        self.assertEqual([e.pk for e in back], [e.pk for e in second])
        self.assertEqual([e.pk for e in keyset_page(qs, before=back.prev_key, size=3)], [e.pk for e in first])

    def test_a_page_that_is_never_counted_refuses_to_count_and_asks_no_count(self):
        with self.assertNumQueries(1):
            page = keyset_page(AuditEvent.objects.all(), size=3, counted=False)
        with self.assertRaises(TypeError):
            _ = page.count

    def test_keys_that_are_not_a_pk_are_refused(self):
        for junk in ["x", "1.2", "-1", "１", "9" * 20, str(2**63)]:
            with self.assertRaises(BadPageKey, msg=junk):
                keyset_page(AuditEvent.objects.all(), after=junk)
            with self.assertRaises(BadPageKey, msg=junk):
                keyset_page(AuditEvent.objects.all(), before=junk)


class PagerLinksTestCase(TestCase):
    """pager_links: the context of templates/_pager.html, the filters kept and the page keys replaced."""

    @classmethod
    def setUpTestData(cls):
        for i in range(5):
            AuditEvent.objects.create(action="x", target_type="t", target_id=str(i))

    def render(self, page, query: str = "") -> tuple[dict, str]:
        request = RequestFactory().get("/list/?" + query)
        links = pager_links(request, page)
        return links, render_to_string("_pager.html", {"page": page, **links})

    def test_a_middle_keyset_page_links_first_previous_and_next_keeping_the_filters(self):
        qs = AuditEvent.objects.all()
        first = keyset_page(qs, size=2)
        page = keyset_page(qs, after=first.next_key, size=2)
        links, html = self.render(page, f"status=open&after={first.next_key}")
        self.assertEqual(links["query"], "status=open")
        self.assertEqual(links["next_url"], f"?status=open&after={page.next_key}")
        self.assertEqual(links["prev_url"], f"?status=open&before={page.prev_key}")
        self.assertEqual(links["first_url"], "?status=open")
        self.assertIn(f'href="?status=open&amp;after={page.next_key}" rel="next"', html)
        self.assertIn('rel="prev" data-testid="prev-page"', html)
        self.assertIn('data-testid="first-page"', html)

    def test_the_first_page_links_only_the_next_one_and_a_single_page_shows_no_links(self):
        links, html = self.render(keyset_page(AuditEvent.objects.all(), size=2))
        self.assertEqual((links["prev_url"], links["first_url"]), (None, None))
        self.assertIn('rel="next"', html)
        self.assertNotIn('rel="prev"', html)
        _, html = self.render(keyset_page(AuditEvent.objects.all(), size=10))
        self.assertNotIn("rel=", html)
        self.assertIn("第 1 页", html)  # its position and total are still shown

    def test_a_django_page_is_linked_by_number(self):
        page = CappedPaginator(AuditEvent.objects.order_by("id"), 2).get_page(2)
        links, html = self.render(page, "page=2&kind=x")
        self.assertEqual((links["next_url"], links["prev_url"], links["first_url"]),
                         ("?kind=x&page=3", "?kind=x&page=1", "?kind=x"))
        self.assertIn('href="?kind=x&amp;page=3" rel="next"', html)

    def test_a_list_that_is_no_page_shows_no_pager(self):
        links, html = self.render([], "status=zz")
        self.assertEqual(links, {"query": "status=zz", "next_url": None, "prev_url": None, "first_url": None})
        self.assertNotIn("pager", html)


class PagerPositionAndTotalTestCase(TestCase):
    """The pager says where you are (第 N 页, carried by its links) and how many rows the list holds:
    exact when small, PostgreSQL's planner estimate at city scale (约 1.2 万条)."""

    @classmethod
    def setUpTestData(cls):
        AuditEvent.objects.bulk_create(AuditEvent(action="x", target_type="t", target_id=str(i)) for i in range(7))

    def walk(self, **kw):
        rf, url, pages = RequestFactory(), "/", []
        while url is not None:
            request = rf.get(url)
            page = keyset_page(AuditEvent.objects.all(), after=request.GET.get("after"), before=request.GET.get("before"),
                               size=2, **kw)
            links = pager_links(request, page)
            pages.append((page, links, render_to_string("_pager.html", {"page": page, **links})))
            url = links["next_url"]
        return pages

    def test_each_page_knows_its_number_forward_and_back(self):
        pages = self.walk()
        self.assertEqual([p.number for p, _, _ in pages], [1, 2, 3, 4])
        self.assertIn("第 3 页", pages[2][2])
        back = RequestFactory().get(pages[2][1]["prev_url"])
        page = keyset_page(AuditEvent.objects.all(), before=back.GET["before"], size=2)
        pager_links(back, page)
        self.assertEqual(page.number, 2)

    def test_the_total_is_shown_on_every_page(self):
        for page, _links, html in self.walk():
            self.assertEqual(str(page.total), "共 7 条")
            self.assertIn("共 7 条", html)

    def test_a_list_never_counted_is_counted_only_up_to_the_threshold(self):
        from unittest import mock

        with mock.patch("governance.pagination.planner_estimate", return_value=None):  # as on SQLite
            with mock.patch("governance.pagination.ESTIMATE_EXACT_BELOW", 5):
                page = keyset_page(AuditEvent.objects.all(), size=2, counted=False)
                self.assertEqual(str(page.total), "超过 5 条")
            self.assertEqual(str(keyset_page(AuditEvent.objects.all(), size=2, counted=False).total), "共 7 条")

    def test_on_postgresql_a_list_never_counted_shows_the_estimate_never_below_what_was_seen(self):
        from unittest import mock

        with mock.patch("governance.pagination.planner_estimate", return_value=1):
            page = keyset_page(AuditEvent.objects.all(), size=2, counted=False)
            self.assertEqual(str(page.total), "约 3 条")  # two rows shown and a next page

    def test_a_made_up_page_number_is_only_shown_never_used(self):
        first = keyset_page(AuditEvent.objects.all(), size=2)
        request = RequestFactory().get(f"/?after={first.next_key}&p=x9")
        page = keyset_page(AuditEvent.objects.all(), after=request.GET["after"], size=2)
        pager_links(request, page)
        self.assertIsNone(page.number)

    def test_estimates_read_in_chinese_units(self):
        from governance.pagination import Total, approximate

        self.assertEqual([approximate(n) for n in (12_345, 123_456, 9_870_000, 340_000_000)],
                         ["1.2 万", "12 万", "987 万", "3.4 亿"])
        self.assertEqual(str(Total(12_345, exact=False)), "约 1.2 万条")
        self.assertEqual(str(Total(1_234)), "共 1,234 条")

    def test_an_estimate_in_english_counts_in_thousands_not_in_wan(self):
        from governance.pagination import Total, approximate

        with translation.override("en"):
            self.assertEqual([approximate(n) for n in (12_345, 123_456, 9_870_000, 340_000_000)],
                             ["12,000", "120,000", "9,900,000", "340,000,000"])
            self.assertEqual(str(Total(12_345, exact=False)), "About 12,000")

    def test_on_postgresql_a_big_list_shows_the_planner_estimate(self):
        from unittest import mock

        from django.db import connection

        if connection.vendor != "postgresql":
            with mock.patch("governance.pagination.planner_estimate", return_value=12_345):
                page = keyset_page(AuditEvent.objects.all(), size=2, counted=False)
                self.assertEqual(str(page.total), "约 1.2 万条")
            return
        from governance.pagination import planner_estimate

        self.assertIsInstance(planner_estimate(AuditEvent.objects.all()), int)
