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
