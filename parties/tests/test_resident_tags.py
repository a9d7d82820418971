from parties.models import ResidentTag
from parties.tests.base import RegisterTestCase


class ResidentTagEndpointsTestCase(RegisterTestCase):
    def test_a_grid_worker_adds_and_removes_a_tag(self):
        self.client.force_login(self.carol)
        r = self.client.post(f"/registers/residents/{self.zhangsi.pk}/tags/", {"tag": "empty_nest_elderly", "note": "独居"})
        self.assertRedirects(r, f"/registers/residents/{self.zhangsi.pk}/")
        tag = ResidentTag.objects.get(resident=self.zhangsi)
        self.assertEqual((tag.set_by, tag.note), (self.carol, "独居"))
        self.client.post(f"/registers/residents/{self.zhangsi.pk}/tags/{tag.pk}/remove/", {"reason": "子女接回"})
        tag.refresh_from_db()
        self.assertFalse(tag.active)
        page = self.client.get(f"/registers/residents/{self.zhangsi.pk}/")
        self.assertContains(page, "子女接回")

    def test_a_bad_tag_is_a_400(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(f"/registers/residents/{self.zhang.pk}/tags/", {"tag": "x"}).status_code, 400)

    def test_another_grids_worker_gets_404(self):
        self.client.force_login(self.henry)
        self.assertEqual(self.client.post(f"/registers/residents/{self.zhang.pk}/tags/", {"tag": "disabled"}).status_code, 404)
