"""Every list and queue takes the same number of queries with a few rows as with many: nothing is
read per row (bench/bench_scale.py measures the same pages at 20,000 and 2,000,000 cases)."""

import re
from datetime import timedelta
from html import unescape
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import Case, Supervision
from disputes.tests.dispute_base import DisputeTestCase
from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import make_user

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

    def test_the_paged_queues_take_as_many_queries_for_a_few_pages_as_for_many(self):
        # Page sizes of 2: the few rows already fill pages, so both sizes count their list (a total
        # beyond one page) and only the number of pages differs.
        paged = ["/cases/todo/", "/disputes/", "/disputes/risks/"]
        users = [self.alice, self.carol, self.heidi, self.mona]

        def both_pages():
            out = {}
            for u in users:
                for url in paged:
                    first = self.queries(u, url)
                    body = self.client.get(url).content.decode()
                    m = re.search(r'href="(\?[^"]*after=[^"]*)"', body)
                    out[(u.username, url)] = (first, self.queries(u, url + unescape(m.group(1))) if m else None)
            return out

        with mock.patch("disputes.views.cases.PAGE_SIZE", 2), mock.patch("disputes.views.mediation.DISPUTE_PAGE_SIZE", 2):
            self.add_rows(3)
            for _ in range(3):
                self.handled()
                self.dispute(people_count=6)
            few = both_pages()
            self.add_rows(6)
            for _ in range(6):
                self.handled()
                self.dispute(people_count=6)
            many = both_pages()
        self.assertEqual(many, few)
        self.assertIsNotNone(few[("alice", "/cases/todo/")][1])  # a second page exists at both sizes
        self.assertIsNotNone(few[("alice", "/disputes/")][1])
        self.assertIsNotNone(few[("alice", "/disputes/risks/")][1])

    def test_the_case_list_takes_one_query_more_for_each_part_it_reads(self):
        # The case list finds its page in a part per territory code, then the cases dispatched to the
        # user (disputes.selectors.cases.visible_case_parts), and reads the page's rows in one more
        # query: carol's one grid is two parts, two grids three.
        two_grids = make_user("grace", "格蕾丝", Role.GRID_WORKER, self.grid_a)
        RoleAssignment.objects.create(user=two_grids, role=Role.GRID_WORKER, region=self.grid_a2)
        self.add_rows(2)
        self.assertEqual(self.queries(two_grids, "/cases/"), self.queries(self.carol, "/cases/") + 1)
        # A list of open cases is read whole (its one query walks the open cases' index).
        for url in ("/cases/?status=open", "/cases/?overdue=1", "/cases/?status=assigned"):
            self.assertEqual(self.queries(two_grids, url), self.queries(self.carol, url), url)
