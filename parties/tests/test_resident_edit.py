from parties.tests.base import ZHANG_ID, RegisterTestCase


class ResidentEditTestCase(RegisterTestCase):
    def url(self, r):
        return f"/registers/residents/{r.pk}/edit/"

    def data(self, **extra):
        return {"name": "张三", "ethnicity": "汉族", "political_status": "cpc_member", "residency_type": "registered",
                "building": "3号楼", "unit_no": "1单元", "room": "101", "id_number": "", "phone": "", **extra}

    def test_the_form_shows_masked_values_and_never_the_plain_ones(self):
        self.client.force_login(self.carol)
        r = self.client.get(self.url(self.zhang))
        self.assertContains(r, "110105************")
        self.assertMasked(r.content.decode())

    def test_blank_id_and_phone_keep_the_old_values(self):
        self.client.force_login(self.carol)
        r = self.client.post(self.url(self.zhang), self.data(room="102"))
        self.assertRedirects(r, f"/registers/residents/{self.zhang.pk}/")
        self.zhang.refresh_from_db()
        self.assertEqual(self.zhang.id_number, ZHANG_ID)
        self.assertEqual(self.zhang.phone, "13812345678")
        self.assertEqual(self.zhang.political_status, "cpc_member")
        self.assertEqual(self.zhang.house.room, "102")

    def test_a_dash_clears_the_phone(self):
        self.client.force_login(self.carol)
        self.client.post(self.url(self.zhang), self.data(phone="-"))
        self.zhang.refresh_from_db()
        self.assertEqual(self.zhang.phone, "")

    def test_a_bad_phone_gets_a_chinese_message(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.post(self.url(self.zhang), self.data(phone="1381234")), "手机号码应为 11 位", status_code=400)

    def test_a_worker_of_grid_a_gets_404_for_grid_b(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(self.url(self.wang)).status_code, 404)
        self.assertEqual(self.client.post(self.url(self.wang), self.data()).status_code, 404)

    def test_a_district_centre_may_read_but_not_edit(self):
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(self.url(self.zhang)).status_code, 403)
