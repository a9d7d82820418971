from parties import actions
from parties.idnumbers import check_char
from parties.tests.base import LI_ID, WANG_ID, ZHANG_PHONE, RegisterTestCase

URL = "/registers/residents/"


class ResidentListTestCase(RegisterTestCase):
    def test_it_needs_sign_in(self):
        self.assertRedirects(self.client.get(URL), f"/login/?next={URL}")

    def test_a_grid_worker_sees_only_their_grids_residents_masked(self):
        self.client.force_login(self.carol)
        r = self.client.get(URL)
        self.assertContains(r, "张三")
        self.assertContains(r, "110105************")
        self.assertContains(r, "社区矫正人员")
        self.assertNotContains(r, "李五")
        self.assertNotContains(r, "王六")
        self.assertMasked(r.content.decode())
        self.assertEqual(r["Cache-Control"], "no-store")

    def test_a_street_officer_sees_every_grid_of_the_street_but_not_the_other_district(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL)
        self.assertContains(r, "李五")
        self.assertNotContains(r, "王六")

    def test_search_by_name_is_a_prefix_match(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL, {"name": "张"})
        self.assertRedirects(self.client.post(URL, {"name": "张", "id_number": "", "phone": ""}), f"{URL}?name=%E5%BC%A0")
        self.assertContains(r, "张三")
        self.assertContains(r, "张四")
        self.assertNotContains(r, "李五")
        self.assertNotContains(self.client.get(URL, {"name": "三"}), "张三")

    def search(self, **fields):
        """The search form, POSTed, and the page it redirects to."""
        r = self.client.post(URL, fields)
        if r.status_code != 302:
            return r
        return self.client.get(r["Location"])

    def test_search_by_id_number_is_exact_and_tolerates_lowercase_x_and_spaces(self):
        self.client.force_login(self.alice)
        r = self.search(id_number=" 11010519491231002x ")
        self.assertContains(r, "张三")
        self.assertNotContains(r, "张四")
        self.assertMasked(r.content.decode())

    def test_a_partial_id_number_gets_a_chinese_message_and_no_rows(self):
        self.client.force_login(self.alice)
        r = self.search(id_number="110105")
        self.assertContains(r, "不支持部分匹配", status_code=400)
        self.assertNotContains(r, "张三", status_code=400)

    def test_an_id_number_outside_scope_finds_nothing(self):
        self.client.force_login(self.carol)
        self.assertNotContains(self.search(id_number=WANG_ID), "王六")
        self.assertNotContains(self.search(id_number=LI_ID), "李五")

    def test_search_by_phone_is_exact(self):
        self.client.force_login(self.alice)
        r = self.search(phone="+86 138-1234-5678")
        self.assertContains(r, "张三")
        self.assertNotContains(r, "张四")
        self.assertNotContains(r, ZHANG_PHONE)

    def test_search_by_address_uses_building_and_room(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL, {"building": "5号", "room": "202"})
        self.assertContains(r, "李五")
        self.assertNotContains(r, "张三")

    def test_filter_by_grid_code_prefix(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL, {"grid": self.grid_a2.code})
        self.assertContains(r, "李五")
        self.assertNotContains(r, "张三")
        self.client.force_login(self.carol)  # a grid outside the scope gives nothing, not an error
        self.assertNotContains(self.client.get(URL, {"grid": self.grid_a2.code}), "李五")

    def test_search_by_tag(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL, {"tag": "community_correction"})
        self.assertContains(r, "张三")
        self.assertNotContains(r, "张四")

    def test_pages_follow_the_last_id_without_counting_the_table(self):
        for i in range(55):
            actions.do_create_resident(actor=None, grid=self.grid_a, name=f"批量{i:02d}", id_number=_id(i))
        self.client.force_login(self.carol)
        with self.assertNumQueries(11):  # + the total: a count that stops at 1,001 rows, never the table
            first = self.client.get(URL)
        self.assertContains(first, "批量54")
        self.assertNotContains(first, "张三")
        self.assertNotContains(first, "COUNT")
        next_url = first.context["next_url"]
        self.assertEqual(next_url, f"?after={first.context['page'].rows[-1].pk}&p=2")
        self.assertContains(first, f'href="{next_url.replace("&", "&amp;")}" rel="next"')
        second = self.client.get(URL + next_url)
        self.assertContains(second, "张三")
        self.assertNotContains(second, "批量54")
        self.assertFalse(second.context["page"].has_next)
        back = self.client.get(URL + second.context["prev_url"])
        self.assertEqual([r.pk for r in back.context["page"]], [r.pk for r in first.context["page"]])

    def test_a_page_key_that_is_not_a_resident_id_is_a_chinese_400(self):
        self.client.force_login(self.carol)
        self.client.raise_request_exception = False
        for junk in ["abc", "1.5", "-1", "9" * 20, "１"]:
            self.assertContains(self.client.get(URL, {"after": junk}), "请求有误", status_code=400)
            self.assertContains(self.client.get(URL, {"before": junk}), "请求有误", status_code=400)

    def test_the_page_links_keep_the_search(self):
        for i in range(55):
            actions.do_create_resident(actor=None, grid=self.grid_a, name=f"批量{i:02d}", id_number=_id(i))
        self.client.force_login(self.carol)
        r = self.client.get(URL, {"name": "批量"})
        self.assertRegex(r.context["next_url"], r"^\?name=%E6%89%B9%E9%87%8F&after=\d+&p=2$")
        self.assertIsNone(r.context["prev_url"])
        self.assertContains(r, f'/registers/residents/export.csv?{r.context["query"]}"')

    def test_the_query_count_does_not_grow_with_the_rows(self):
        self.client.force_login(self.alice)
        with self.assertNumQueries(10):
            self.client.get(URL)

    def test_a_bad_page_parameter_is_a_400(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL, {"after": "x"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"grid": "abc"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"after": "9999999999999999999"}).status_code, 400)  # beyond bigint
        self.assertEqual(self.client.get(URL, {"after": "１２"}).status_code, 400)

    def test_a_user_without_roles_sees_nothing(self):
        self.client.force_login(self.nobody)
        self.assertNotContains(self.client.get(URL), "张三")


def _id(i: int) -> str:
    first17 = f"21080419800101{i:03d}"
    return first17 + check_char(first17)
