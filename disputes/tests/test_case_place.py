"""The case page shows the place: the address, the grid, and a map of the grid's boundary with the point."""

from __future__ import annotations

import json
import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.models import Case
from governance.models import Region
from portal.tests.map_base import MapTestCase


class CasePlaceTestCase(MapTestCase):
    def page(self, case, user=None):
        self.client.force_login(user or self.carol)
        return self.client.get(f"/cases/{case.pk}/")

    def test_it_shows_the_address_the_grid_and_the_point_on_a_map(self):
        case = self.file(lat=self.in_a[0], lng=self.in_a[1], address="3号楼2单元")
        r = self.page(case)
        self.assertContains(r, 'data-testid="place-map"')
        self.assertContains(r, 'data-lat="40.649350" data-lng="122.206750"')
        self.assertContains(r, "3号楼2单元 · 五大门社区第1网格")
        self.assertContains(r, "位于五大门社区第1网格内")
        boundary = re.search(r'<script id="case-grid-boundary" type="application/json">(.*?)</script>',
                             r.content.decode()).group(1)
        self.assertEqual(json.loads(boundary), Region.objects.get(pk=self.grid_a.pk).boundary)
        self.assertContains(r, "vendor/leaflet/leaflet.js")

    def test_a_point_filed_before_the_check_says_how_far_outside_it_lies(self):
        case = self.file(lat=self.in_a[0], lng=self.in_a[1])
        Case.objects.filter(pk=case.pk).update(lat="40.655200")  # 500 m north, as old rows may be
        self.assertContains(self.page(case), "边界外约 500 米")

    def test_a_case_without_a_point_shows_the_grid_and_says_no_point_was_picked(self):
        case = self.file(address="")
        r = self.page(case)
        self.assertContains(r, "未填写地址")
        self.assertContains(r, "未选取位置")
        self.assertContains(r, 'data-lat=""')

    def test_a_grid_without_boundary_and_a_case_without_point_show_no_map(self):
        Region.objects.filter(pk=self.grid_a.pk).update(boundary=None)
        case = self.file()
        self.assertNotContains(self.page(case), 'data-testid="place-map"')

    def test_the_map_adds_no_query_to_the_case_page(self):
        ContentType.objects.get_for_model(Case)
        with_point = self.file(lat=self.in_a[0], lng=self.in_a[1])
        without = self.file()
        self.client.force_login(self.carol)
        self.client.get(f"/cases/{without.pk}/")
        with CaptureQueriesContext(connection) as a:
            self.client.get(f"/cases/{without.pk}/")
        with CaptureQueriesContext(connection) as b:
            self.client.get(f"/cases/{with_point.pk}/")
        self.assertEqual(len(a.captured_queries), len(b.captured_queries))
