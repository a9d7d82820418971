"""/rosters/grid_workers/passwords/: initial passwords for imported grid workers, issued once as an
.xlsx (登录名, 姓名, 网格, 初始密码), never stored in clear, audited, scoped to the admin's territory."""

import io

import openpyxl
from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse

from governance.models import AuditEvent, RoleAssignment, User
from governance.roles import Role
from governance.tests.base import make_user
from governance.tests.spreadsheets import xlsx_formulas
from rosters.models import ImportJob
from rosters.passwords import hash_issued_password
from rosters.tests.helpers import RosterTestCase, csv_bytes

URL = reverse("rosters:passwords")
HEADER = ["姓名", "手机号", "网格编码"]


class GridWorkerPasswordTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        # Imported grid workers: no usable password. Two in frank's district (西市区), one in 站前区.
        path = self.write_file("w.csv", csv_bytes([
            HEADER,
            ["渔夫", "13800000011", "210803001001001"],
            ["渔妇", "13800000012", "210803001001001"],
            ["站前人", "13800000013", "210802001001001"],
        ]))
        result = self.run_roster("grid_workers", path)
        assert result.counts["new"] == 3, result.counts
        self.fisher = User.objects.get(username="13800000011")

    def issue(self, user, data):
        self.client.force_login(user)
        return self.client.post(URL, data)

    def sheet(self, response) -> list[tuple]:
        self.assertEqual(response["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("attachment", response["Content-Disposition"])
        return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    def test_an_admin_sees_how_many_grid_workers_in_their_district_have_no_password(self):
        self.client.force_login(self.frank)
        ContentType.objects.get_for_model(RoleAssignment)  # cached per process: keep the count below stable
        with self.assertNumQueries(12):
            response = self.client.get(URL)
        self.assertContains(response, 'data-testid="workers-total">2<')
        self.assertContains(response, 'data-testid="workers-without-password">2<')
        self.assertContains(response, 'data-testid="worker-13800000011"')
        self.assertContains(response, "渔市社区第1网格")
        self.assertNotContains(response, "13800000013")  # 站前区
        self.assertNotContains(response, "carol")

    def test_issuing_returns_each_password_once_in_an_xlsx_and_stores_only_hashes(self):
        response = self.issue(self.frank, {"action": "missing"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        rows = self.sheet(response)
        self.assertEqual(rows[0], ("登录名", "姓名", "网格", "初始密码"))
        self.assertEqual([r[:3] for r in rows[1:]], [("13800000011", "渔夫", "渔市社区第1网格"),
                                                     ("13800000012", "渔妇", "渔市社区第1网格")])
        for username, _name, _grid, password in rows[1:]:
            user = User.objects.get(username=username)
            self.assertGreaterEqual(len(password), 10)
            self.assertTrue(user.check_password(password))
            self.assertTrue(user.must_change_password)
            self.assertNotIn(password, user.password)
        self.assertFalse(User.objects.get(username="13800000013").has_usable_password())  # other district
        event = AuditEvent.objects.get(action="user.password.issue")
        self.assertEqual((event.actor, event.region_code), (self.frank, "210803001001001"))
        self.assertEqual(event.detail, {"mode": "missing", "count": 2, "users": ["13800000011", "13800000012"]})
        for _username, _name, _grid, password in rows[1:]:
            self.assertNotIn(password, str(event.detail))

    def test_issuing_again_gives_no_new_password_to_those_who_have_one(self):
        self.issue(self.frank, {"action": "missing"})
        before = User.objects.get(pk=self.fisher.pk).password
        response = self.issue(self.frank, {"action": "missing"})
        self.assertContains(response, "没有尚未设置密码的网格员", status_code=400)
        self.assertEqual(User.objects.get(pk=self.fisher.pk).password, before)

    def test_an_issued_password_signs_in_and_leads_straight_to_the_password_change(self):
        rows = self.sheet(self.issue(self.frank, {"action": "missing"}))
        self.client.logout()
        response = self.client.post(reverse("login"), {"username": rows[1][0], "password": rows[1][3]})
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertRedirects(self.client.get(reverse("home")), reverse("password_change"))

    def test_resetting_chosen_workers_replaces_their_password_and_asks_for_a_change(self):
        worker = make_user("boatman", "船夫", Role.GRID_WORKER, self.grid_b)
        rows = self.sheet(self.issue(self.frank, {"action": "reset", "user": [worker.pk]}))
        self.assertEqual([r[:3] for r in rows[1:]], [("boatman", "船夫", "渔市社区第1网格")])
        worker.refresh_from_db()
        self.assertFalse(worker.check_password("password"))
        self.assertTrue(worker.check_password(rows[1][3]))
        self.assertTrue(worker.must_change_password)
        self.assertEqual(AuditEvent.objects.get(action="user.password.issue").detail["mode"], "reset")

    def test_an_admin_of_another_district_gets_404_for_a_worker_outside_it(self):
        before = User.objects.get(pk=self.carol.pk).password
        response = self.issue(self.frank, {"action": "reset", "user": [self.fisher.pk, self.carol.pk]})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(User.objects.get(pk=self.carol.pk).password, before)
        self.assertFalse(User.objects.get(pk=self.fisher.pk).has_usable_password())
        self.assertFalse(AuditEvent.objects.filter(action="user.password.issue").exists())

    def test_an_admin_of_the_other_district_issues_only_for_their_own_workers(self):
        zoe = make_user("zoe", "佐伊", Role.ADMIN, self.zhanqian)
        rows = self.sheet(self.issue(zoe, {"action": "missing"}))
        self.assertEqual([r[0] for r in rows[1:]], ["13800000013"])
        self.assertFalse(User.objects.get(pk=self.fisher.pk).has_usable_password())
        response = self.issue(zoe, {"action": "reset", "user": [self.fisher.pk]})
        self.assertEqual(response.status_code, 404)

    def test_a_worker_who_also_works_outside_the_admins_district_is_not_theirs_to_reset(self):
        RoleAssignment.objects.create(user=self.fisher, role=Role.GRID_WORKER, region=self.grid_a)
        self.client.force_login(self.frank)
        self.assertNotContains(self.client.get(URL), 'data-testid="worker-13800000011"')
        self.assertEqual(self.issue(self.frank, {"action": "reset", "user": [self.fisher.pk]}).status_code, 404)
        rows = self.sheet(self.issue(self.frank, {"action": "missing"}))
        self.assertEqual([r[0] for r in rows[1:]], ["13800000012"])

    def test_bad_input_gets_a_chinese_message_and_a_400(self):
        self.assertContains(self.issue(self.frank, {"action": "reset"}), "请勾选要重置密码的网格员", status_code=400)
        self.assertContains(self.issue(self.frank, {"action": "reset", "user": ["x"]}), "所选人员有误",
                            status_code=400)
        self.assertContains(self.issue(self.frank, {"action": "everyone"}), "请选择要执行的操作", status_code=400)

    def test_the_list_filters_by_password_state_and_name(self):
        worker = make_user("boatman", "船夫", Role.GRID_WORKER, self.grid_b)
        self.client.force_login(self.frank)
        response = self.client.get(URL, {"state": "missing"})
        self.assertContains(response, 'data-testid="worker-13800000011"')
        self.assertNotContains(response, 'data-testid="worker-boatman"')
        response = self.client.get(URL, {"q": "船"})
        self.assertContains(response, 'data-testid="worker-boatman"')
        self.assertNotContains(response, 'data-testid="worker-13800000011"')
        self.assertContains(response, "已自行设置")
        self.assertIsNotNone(worker)

    def test_someone_without_the_import_capability_gets_403(self):
        for user in (self.dave, self.alice, self.carol):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
            self.assertEqual(self.client.post(URL, {"action": "missing"}).status_code, 403)
        self.assertFalse(User.objects.get(pk=self.fisher.pk).has_usable_password())

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_the_grid_worker_import_page_links_here(self):
        self.client.force_login(self.frank)
        self.assertContains(self.client.get(reverse("rosters:index")), URL)
        job = ImportJob.objects.create(kind="grid_workers", region=self.xishi, created_by=self.frank,
                                       original_name="w.csv", status=ImportJob.Status.DONE, phase="write",
                                       counts={"new": 2, "updated": 0, "unchanged": 0, "bad": 0})
        self.assertContains(self.client.get(reverse("rosters:job", args=[job.pk])), URL)


    def test_a_worker_named_like_a_formula_is_text_in_the_passwords_sheet(self):
        hostile = '=HYPERLINK("http://x","点此")'
        worker = make_user("boatman", hostile, Role.GRID_WORKER, self.grid_b)
        response = self.issue(self.frank, {"action": "reset", "user": [worker.pk]})
        self.assertEqual(xlsx_formulas(response.content), [])
        self.assertEqual(self.sheet(response)[1][:2], ("boatman", hostile))


class IssuedPasswordHashTests(RosterTestCase):
    @override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
    def test_with_the_production_hasher_an_issued_password_is_pbkdf2_and_rehashed_at_first_login(self):
        from django.contrib.auth.hashers import get_hasher

        encoded = hash_issued_password("Abc234defg")
        algorithm, iterations, _salt, _hash = encoded.split("$")
        self.assertEqual((algorithm, iterations), ("pbkdf2_sha256", "20000"))
        self.assertTrue(check_password("Abc234defg", encoded))
        self.assertTrue(get_hasher("default").must_update(encoded))  # Django re-hashes it at first login


class PasswordSearchInputTests(RosterTestCase):
    def test_a_nul_in_the_search_is_a_400_not_a_500(self):
        self.client.force_login(self.frank)
        response = self.client.get("/rosters/grid_workers/passwords/", {"q": "a\x00b"})
        self.assertEqual(response.status_code, 400)
