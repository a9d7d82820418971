"""The house list (/registers/houses/) and the house page (/registers/houses/<pk>/)."""

from parties.tests.base import RegisterTestCase


class HouseListTestCase(RegisterTestCase):
    def test_a_grid_worker_lists_only_their_grids_houses(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(9):
            r = self.client.get("/registers/houses/")
        self.assertContains(r, "3号楼1单元101")
        self.assertNotContains(r, "5号楼")
        self.assertNotContains(r, "8号楼")

    def test_search_by_building_and_room(self):
        self.client.force_login(self.alice)
        r = self.client.get("/registers/houses/", {"building": "5号", "room": "202"})
        self.assertContains(r, "5号楼2单元202")
        self.assertNotContains(r, "3号楼")
        self.assertContains(self.client.get("/registers/houses/", {"grid": self.grid_a.code}), "3号楼1单元101")


class HouseDetailTestCase(RegisterTestCase):
    def test_it_shows_who_lives_there_masked(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(19):  # 3 of them the visits section (grids): scope 2 + list 1
            r = self.client.get(f"/registers/houses/{self.house_a.pk}/")
        self.assertContains(r, "张三")
        self.assertContains(r, "张四")
        self.assertContains(r, "110105************")
        self.assertMasked(r.content.decode())

    def test_a_worker_of_grid_a_gets_404_for_a_house_in_grid_b(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/registers/houses/{self.house_b.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/registers/houses/{self.house_b.pk}/edit/").status_code, 404)


class HouseCreateAndEditTestCase(RegisterTestCase):
    def test_a_grid_worker_registers_a_house_and_changes_its_use(self):
        self.client.force_login(self.carol)
        r = self.client.post("/registers/houses/new/", {"grid": self.grid_a.code, "building": "9号楼", "unit_no": "1单元",
                                                        "room": "601", "use": "rented", "area": "78.5", "owner_name": "刘某"})
        self.assertEqual(r.status_code, 302)
        house = self.house_a.__class__.objects.get(room="601")
        self.assertEqual((house.use, str(house.area)), ("rented", "78.50"))
        r = self.client.post(f"/registers/houses/{house.pk}/edit/", {"unit_no": "1单元", "room": "601", "use": "vacant"})
        house.refresh_from_db()
        self.assertEqual(house.use, "vacant")

    def test_a_missing_room_gets_a_chinese_message(self):
        self.client.force_login(self.carol)
        r = self.client.post("/registers/houses/new/", {"grid": self.grid_a.code, "building": "9号楼", "room": "", "use": "owner"})
        self.assertContains(r, "该字段是必填项", status_code=400)


class HouseholdTestCase(RegisterTestCase):
    def test_a_grid_worker_founds_a_household_and_residents_join_it(self):
        self.client.force_login(self.carol)
        r = self.client.post(f"/registers/houses/{self.house_a.pk}/households/", {"head_name": "张三", "number": "001"})
        self.assertRedirects(r, f"/registers/houses/{self.house_a.pk}/")
        household = self.house_a.households.get()
        r = self.client.post(f"/registers/residents/{self.zhangsi.pk}/edit/", {
            "name": "张四", "ethnicity": "汉族", "political_status": "masses", "residency_type": "registered",
            "building": "3号楼", "unit_no": "1单元", "room": "101", "household": household.pk, "relation_to_head": "子女"})
        self.assertEqual(r.status_code, 302)
        self.zhangsi.refresh_from_db()
        self.assertEqual((self.zhangsi.household, self.zhangsi.relation_to_head), (household, "子女"))
        self.assertContains(self.client.get(f"/registers/houses/{self.house_a.pk}/"), "张三户")

    def test_a_household_in_another_grid_is_404(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(f"/registers/houses/{self.house_b.pk}/households/", {"head_name": "x"}).status_code, 404)
