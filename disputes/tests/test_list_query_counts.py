"""Every list and queue takes the same number of queries with a few rows as with many: nothing is
read per row (bench/bench_scale.py measures the same pages at 20,000 and 2,000,000 cases)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import Case, Supervision
from disputes.tests.dispute_base import DisputeTestCase

LISTS = ["/cases/", "/cases/?status=open", "/cases/?overdue=1", "/cases/?supervision=any", "/cases/todo/",
         "/disputes/", "/disputes/all/", "/disputes/risks/"]


class ListQueryCountTestCase(DisputeTestCase):
    def add_rows(self, n):
        for _ in range(n):
            case = self.assigned(department=self.police_a)
            Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=2),
                                                   supervision=Supervision.YELLOW)
            self.file()
            self.mediating()

    def queries(self, user, url):
        self.client.force_login(user)
        self.client.get(url)  # warm the per-user caches as a second page view finds them
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200, url)
        return len(ctx.captured_queries)

    def test_every_list_takes_as_many_queries_for_many_rows_as_for_few(self):
        users = [self.alice, self.carol, self.heidi]
        self.add_rows(1)
        few = {(u.username, url): self.queries(u, url) for u in users for url in LISTS}
        self.add_rows(6)
        many = {(u.username, url): self.queries(u, url) for u in users for url in LISTS}
        self.assertEqual(many, few)
