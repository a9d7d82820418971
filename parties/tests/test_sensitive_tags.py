"""Sensitive person tags (社区矫正, 刑满释放, 严重精神障碍, 吸毒: parties.models.SENSITIVE_TAGS) are seen
only with view_sensitive_tags over the resident's grid: gwen, a grid worker of 张三's grid without it,
finds no trace of 张三's 社区矫正人员 tag on his page, the list, its filter, the export, the API, the
house page or the change history — and cannot set or remove one; carol (granted it on her grid) and
the community staff (whose role holds it) see it."""

import json

from django.urls import reverse

from governance.roles import ROLE_CAPABILITIES, Cap, Role
from parties.models import SENSITIVE_TAGS, ResidentTag, TagKind
from parties.tests.base import RegisterTestCase

LABEL = "社区矫正人员"


class SensitiveTagTests(RegisterTestCase):
    def pages(self):
        resident = reverse("parties:resident", args=[self.zhang.pk])
        return {
            "resident": self.client.get(resident).content.decode(),
            "list": self.client.get(reverse("parties:residents")).content.decode(),
            "house": self.client.get(reverse("parties:house", args=[self.house_a.pk])).content.decode(),
            "export": b"".join(self.client.get(reverse("parties:resident-export")).streaming_content).decode("utf-8-sig"),
            "api": json.dumps(self.client.get("/api/registers/residents/").json(), ensure_ascii=False),
        }

    def test_a_grid_worker_without_the_capability_sees_the_tag_nowhere(self):
        self.client.force_login(self.gwen)
        for name, content in self.pages().items():
            with self.subTest(page=name):
                self.assertIn("张三", content)
                self.assertNotIn(LABEL, content)
                self.assertNotIn("community_correction", content)

    def test_a_filter_by_the_tag_finds_no_one_and_the_filter_does_not_offer_it(self):
        self.client.force_login(self.gwen)
        response = self.client.get(reverse("parties:residents"), {"tag": "community_correction"})
        self.assertNotContains(response, "张三")
        self.assertNotContains(response, 'value="community_correction"')
        api = self.client.get("/api/registers/residents/", {"tag": "community_correction"}).json()
        self.assertEqual(api["results"], [])

    def test_the_change_history_leaves_out_the_sensitive_tags_it_may_not_show(self):
        from parties import actions

        actions.do_set_resident_tag(actor=self.carol, resident=self.zhangsi, tag="drug_user")
        self.client.force_login(self.gwen)
        page = self.client.get(reverse("parties:resident", args=[self.zhangsi.pk])).content.decode()
        self.assertNotIn("drug_user", page)
        self.assertNotIn("吸毒", page)

    def test_without_the_capability_one_can_neither_set_nor_remove_a_sensitive_tag(self):
        self.client.force_login(self.gwen)
        url = reverse("parties:resident-tag-add", args=[self.zhangsi.pk])
        self.assertEqual(self.client.post(url, {"tag": "drug_user"}).status_code, 400)
        tag = ResidentTag.objects.get(resident=self.zhang, tag=TagKind.COMMUNITY_CORRECTION)
        url = reverse("parties:resident-tag-remove", args=[self.zhang.pk, tag.pk])
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 400)
        tag.refresh_from_db()
        self.assertIsNone(tag.removed_at)
        # the care tags stay hers to set
        self.client.post(reverse("parties:resident-tag-add", args=[self.zhangsi.pk]), {"tag": "left_behind_elderly"})
        self.assertTrue(ResidentTag.objects.filter(resident=self.zhangsi, tag="left_behind_elderly").exists())

    def test_a_grid_worker_granted_the_capability_and_the_community_staff_see_it(self):
        for user in (self.carol, self.grace):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                pages = self.pages()
                for name in ("resident", "list", "house", "export"):
                    self.assertIn(LABEL, pages[name], name)
                self.assertIn("community_correction", pages["api"])

    def test_the_capability_is_held_where_special_groups_are_kept_and_not_by_grid_workers_by_default(self):
        holders = {r for r, caps in ROLE_CAPABILITIES.items() if Cap.VIEW_SENSITIVE_TAGS in caps}
        self.assertEqual(holders, {Role.COMMUNITY_STAFF, Role.STREET_OFFICER, Role.DISTRICT_CENTRE})
        self.assertEqual(SENSITIVE_TAGS, {TagKind.COMMUNITY_CORRECTION, TagKind.RELEASED_PRISONER,
                                          TagKind.SEVERE_MENTAL_ILLNESS, TagKind.DRUG_USER})
