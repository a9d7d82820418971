"""The 待办 (both sections), the dispute desk and the risk register page by key (governance.pagination
.ordered_page): walking every page forward, then back, shows each row exactly once, in the list's own
order, with ties and missing deadlines; a key that is not ours is a Chinese 400."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from unittest import mock

from django.utils import timezone

from disputes.models import Case, Dispute, RiskEntry
from disputes.tests.dispute_base import DisputeTestCase
from governance.pagination import BadPageKey, ordered_page

PAGE = 3


class QueuePagingTestCase(DisputeTestCase):
    def walk(self, url: str, testid: str, next_key: str = "after", prev_key: str = "before") -> tuple[list, list]:
        """Titles page by page forward from `url` by `next_key` links, then back by `prev_key` links."""
        forward, back, seen = [], [], set()
        current = url
        while True:
            r = self.client.get(current)
            self.assertEqual(r.status_code, 200, current)
            body = r.content.decode()
            forward.append(self.titles(body, testid))
            nxt = self.link(body, next_key, testid)
            if nxt is None:
                break
            self.assertNotIn(nxt, seen)
            seen.add(nxt)
            current = url.split("?")[0] + nxt
        while True:
            prev = self.link(body, prev_key, testid)
            if prev is None:
                break
            r = self.client.get(url.split("?")[0] + prev)
            body = r.content.decode()
            back.append(self.titles(body, testid))
        return forward, back

    @staticmethod
    def link(body: str, key: str, testid: str) -> str | None:
        """The link moving by `key` in the pager right under the list `testid`."""
        m = re.search(rf'data-testid="{testid}">.*?</ul>\s*(<nav class="pager".*?</nav>)?', body, re.S)
        for href in re.findall(r'<a href="(\?[^"]*)"', (m and m.group(1)) or ""):
            href = unescape(href)
            if re.search(rf"(^\?|&){key}=", href):
                return href
        return None

    @staticmethod
    def titles(body: str, testid: str) -> list[str]:
        m = re.search(rf'data-testid="{testid}">(.*?)</ul>', body, re.S)
        return re.findall(r'class="case-title"[^>]*>([^<]+)<', m.group(1)) if m else []

    def check(self, url, testid, expected, **keys):
        with mock.patch("disputes.views.cases.PAGE_SIZE", PAGE), \
                mock.patch("disputes.views.mediation.DISPUTE_PAGE_SIZE", PAGE):
            forward, back = self.walk(url, testid, **keys)
        flat = [t for page in forward for t in page]
        self.assertEqual(flat, expected)  # nothing lost, nothing repeated, in order
        self.assertTrue(all(len(page) == PAGE for page in forward[:-1]))
        self.assertEqual(back, forward[-2::-1])  # back through the same pages

    # ------------------------------------------------------------ 待办

    def todo_fixture(self):
        now = timezone.now().replace(microsecond=0)
        same = now + timedelta(hours=5)
        deadlines = [now + timedelta(hours=9), same, None, now - timedelta(days=2), same, same, None,
                     now + timedelta(days=3), same]
        verify, others = [], []
        for i, deadline in enumerate(deadlines):
            for kind, bucket in (("核", verify), ("办", others)):
                case = self.handled(title=f"{kind}{i}", assignee=self.carol) if kind == "核" else self.file(title=f"{kind}{i}")
                Case.objects.filter(pk=case.pk).update(deadline=deadline)
                bucket.append((deadline, case.pk, case.title))

        def ordered(rows):
            return [t for _d, _pk, t in sorted(rows, key=lambda r: (r[0] is None, r[0] or now, r[1]))]
        return ordered(verify), ordered(others)

    def test_both_sections_of_the_todo_page_through_every_case_once_soonest_deadline_first(self):
        verify, others = self.todo_fixture()
        self.client.force_login(self.alice)
        self.check("/cases/todo/", "todo-verify", verify, next_key="verify_after", prev_key="verify_before")
        self.check("/cases/todo/", "todo", others)

    def test_paging_one_section_keeps_the_other_where_it_was(self):
        verify, others = self.todo_fixture()
        self.client.force_login(self.alice)
        with mock.patch("disputes.views.cases.PAGE_SIZE", PAGE):
            body = self.client.get("/cases/todo/").content.decode()
            second = self.client.get("/cases/todo/" + self.link(body, "verify_after", "todo-verify")).content.decode()
            self.assertEqual(self.titles(second, "todo-verify"), verify[PAGE:2 * PAGE])
            self.assertEqual(self.titles(second, "todo"), others[:PAGE])  # still the first page of the rest
            both = self.client.get("/cases/todo/" + self.link(second, "after", "todo")).content.decode()
            self.assertEqual(self.titles(both, "todo-verify"), verify[PAGE:2 * PAGE])
            self.assertEqual(self.titles(both, "todo"), others[PAGE:2 * PAGE])

    def test_the_todo_sections_show_how_many_cases_wait(self):
        self.todo_fixture()
        self.client.force_login(self.alice)
        with mock.patch("disputes.views.cases.PAGE_SIZE", PAGE):
            r = self.client.get("/cases/todo/")
        self.assertEqual(r.context["to_verify"].total.n, 9)
        self.assertEqual(r.context["others"].total.n, 9)
        self.assertEqual(r.context["to_verify"].rows[0].title, "核3")  # 待核查 comes first, overdue at its top
        self.assertLess(r.content.decode().index('data-testid="todo-verify"'), r.content.decode().index('data-testid="todo"'))

    def test_a_bad_todo_page_key_is_a_chinese_400(self):
        self.client.force_login(self.alice)
        for query in ("after=abc", "verify_after=1.2.3", "before=n.x", "verify_before=99999999999999999999.1",
                      "after=-1.", "after=1.%E4%B8%80"):
            r = self.client.get(f"/cases/todo/?{query}")
            self.assertContains(r, "翻页参数无效", status_code=400, msg_prefix=query)

    # ------------------------------------------------------------ dispute desk

    def test_the_dispute_desk_pages_through_every_dispute_in_mediation_highest_risk_first(self):
        now = timezone.now().replace(microsecond=0)
        rows = []
        specs = [({}, now + timedelta(days=2)), ({"people_count": 6}, now + timedelta(days=1)),
                 ({"threat_violence": True}, None), ({}, now + timedelta(days=1)), ({"people_count": 6}, None),
                 ({}, now + timedelta(days=1)), ({"threat_violence": True}, now - timedelta(days=1)),
                 ({}, None), ({"people_count": 6}, now + timedelta(days=1)), ({}, now + timedelta(days=5))]
        for i, (kw, deadline) in enumerate(specs):
            d = self.mediating(title=f"纠纷{i}", **kw)
            Case.objects.filter(pk=d.pk).update(deadline=deadline)
            rows.append((Dispute.objects.get(pk=d.pk).risk_level, deadline, d.pk, f"纠纷{i}"))
        expected = [t for _r, _d, _pk, t in sorted(rows, key=lambda r: (-r[0], r[1] is None, r[1] or now, r[2]))]
        self.client.force_login(self.alice)
        self.check("/disputes/", "disputes", expected)
        r = self.client.get("/disputes/")
        self.assertEqual(r.context["counts"], {"open": 10, "major": 5, "overdue": 1})

    def test_a_bad_desk_page_key_is_a_chinese_400(self):
        self.client.force_login(self.alice)
        for query in ("after=x", "before=1.2", "after=1.n.3.4", "mine=1&after=%00"):
            self.assertContains(self.client.get(f"/disputes/?{query}"), "翻页参数无效", status_code=400, msg_prefix=query)

    # ------------------------------------------------------------ risk register

    def test_the_risk_register_pages_through_every_open_risk_severe_first(self):
        today = timezone.localdate()
        rows = []
        for i in range(8):
            d = self.dispute(title=f"风险{i}", **({"threat_violence": True} if i % 3 == 0 else {"people_count": 6}))
            entry = RiskEntry.objects.get(dispute=d)
            review = None if i % 4 == 1 else today + timedelta(days=i % 3)
            RiskEntry.objects.filter(pk=entry.pk).update(next_review=review)
            rows.append((entry.level, review, entry.pk, f"风险{i}"))
        expected = [t for _lv, _r, _pk, t in sorted(rows, key=lambda r: (-r[0], r[1] is None, r[1] or today, r[2]))]
        self.client.force_login(self.alice)
        self.check("/disputes/risks/", "risk-entries", expected)

    def test_closed_risks_page_newest_closed_first(self):
        now = timezone.now()
        expected = []
        for i in range(7):
            d = self.dispute(title=f"销号{i}", people_count=6)
            RiskEntry.objects.filter(dispute=d).update(closed_at=now - timedelta(hours=i // 2), close_note="已化解")
            expected.append((now - timedelta(hours=i // 2), RiskEntry.objects.get(dispute=d).pk, f"销号{i}"))
        self.client.force_login(self.alice)
        self.check("/disputes/risks/?closed=1", "risk-entries",
                   [t for _c, _pk, t in sorted(expected, key=lambda r: (r[0], r[1]), reverse=True)])

    def test_a_bad_register_page_key_is_a_chinese_400(self):
        self.client.force_login(self.alice)
        for query in ("after=abc", "closed=1&before=1.2.3", "after=3.n.n"):
            self.assertContains(self.client.get(f"/disputes/risks/?{query}"), "翻页参数无效", status_code=400,
                                msg_prefix=query)


class OrderedPageKeyTestCase(DisputeTestCase):
    def test_a_key_reads_back_to_the_row_it_was_written_for(self):
        case = self.file()
        Case.objects.filter(pk=case.pk).update(deadline=None)
        for _ in range(2):
            self.file()
        qs = Case.objects.all()
        first = ordered_page(qs, ("deadline", "pk"), size=1)
        self.assertTrue(first.next_key)
        rest = ordered_page(qs, ("deadline", "pk"), after=first.next_key, size=10)
        self.assertEqual(len(rest) + 1, 3)
        self.assertEqual(rest.rows[-1].pk, case.pk)  # no deadline: last
        self.assertTrue(rest.next_key is None and rest.prev_key)

    def test_keys_it_did_not_write_are_refused(self):
        qs = Case.objects.all()
        for key in ("", "1", "1.2.3", "a.1", "1.-", "n.n", "1." + "9" * 20, "9" * 19 + ".1"):
            with self.assertRaises(BadPageKey, msg=key):
                ordered_page(qs, ("deadline", "pk"), after=key or "x")
        with self.assertRaises(BadPageKey):
            ordered_page(RiskEntry.objects.all(), ("-level", "next_review", "pk"), after="2.99999999999.1")
