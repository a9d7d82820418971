"""Merging takes both cases' row locks in one statement, in id order, whichever way round the
merge goes: two merges of the same pair from opposite ends queue instead of deadlocking
(PostgreSQL proves it with real connections in test_concurrent_actions)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.actions import cases as actions
from disputes.tests.base import CaseTestCase


class MergeLockOrderTestCase(CaseTestCase):
    def test_both_cases_are_locked_at_once_in_id_order(self):
        low, high = self.file(), self.file(title="楼道堆物（重复）")
        with CaptureQueriesContext(connection) as ctx:
            actions.do_merge_case(actor=self.alice, duplicate=high, original=low, version=high.version)
        reads = [q["sql"] for q in ctx.captured_queries
                 if q["sql"].startswith("SELECT") and 'FROM "disputes_case"' in q["sql"]]
        first = reads[0]
        ids = re.search(r'"disputes_case"\."id" IN \(([0-9, ]+)\)', first)
        self.assertIsNotNone(ids, first)
        self.assertEqual({int(i) for i in ids.group(1).split(",")}, {low.pk, high.pk})
        self.assertIn('ORDER BY "disputes_case"."id" ASC', first)
