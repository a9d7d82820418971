from django.test import TestCase

from governance.models import AuditEvent
from governance.pagination import CappedPaginator


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
            paginator.count
        self.assertIn("LIMIT 13", ctx.captured_queries[0]["sql"])


class KeysetPageTestCase(TestCase):
    """keyset_page over (time, pk), newest first: ties on the time broken by the pk."""

    @classmethod
    def setUpTestData(cls):
        from datetime import datetime, timedelta, timezone

        base = datetime(2026, 11, 23, 8, 0, 0, 123456, tzinfo=timezone.utc)
        # ids 1..9; every two share a timestamp
        for i in range(9):  # `at` is auto_now_add: set it afterwards
            e = AuditEvent.objects.create(action="x", target_type="t", target_id=str(i))
            AuditEvent.objects.filter(pk=e.pk).update(at=base + timedelta(seconds=i // 2))

    def walk(self, size):
        from governance.pagination import keyset_page

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
        from governance.pagination import decode_key, encode_key

        e = AuditEvent.objects.first()
        self.assertEqual(decode_key(encode_key(e.at, e.pk)), (e.at, e.pk))

    def test_keys_it_did_not_write_are_refused(self):
        from governance.pagination import BadPageKey, decode_key

        for junk in ["", "x", "1", "1.", ".1", "1.2.3", "-1.1", "1.-1", "１.1", "1.99999999999999999999"]:
            with self.assertRaises(BadPageKey, msg=junk):
                decode_key(junk)
