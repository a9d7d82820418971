"""Issue 11 (2): an admin may touch, by a grid-workers roster or on the passwords page, only an account
whose every role and every territorial grant lies inside the admin's scope. An account with no role
belongs to nobody's scope (only a superuser or the system may adopt it); a superuser is never touched."""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from governance.models import AuditEvent, RoleAssignment, User
from governance.roles import Role
from governance.tests.base import make_user
from rosters.actions import do_issue_initial_passwords
from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, csv_bytes

HEADER = ["姓名", "手机号", "用户名", "网格编码"]
PASSWORDS = reverse("rosters:passwords")
REFUSED = "账号“%s”属于您管辖范围以外的人员，不能修改"


class RosterImportTakeoverTests(RosterTestCase):
    """frank is the admin of 西市区; the roster names an account and a grid of 西市区."""

    def dry_run(self, username: str) -> ImportJob:
        self.client.force_login(self.frank)
        rows = [HEADER, ["接管", "13800000099", username, self.grid_b.code]]
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(rows))})
        return ImportJob.objects.latest("pk")

    def confirm(self, job: ImportJob) -> ImportJob:
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:job-confirm", args=[job.pk]))
        job.refresh_from_db()
        return job

    def test_a_staff_account_with_no_role_is_a_bad_row_in_the_dry_run_with_a_chinese_reason(self):
        User.objects.filter(pk=self.nobody.pk).update(is_staff=True)
        job = self.dry_run("nobody")
        self.assertEqual(job.status, ImportJob.Status.CHECKED)
        self.assertEqual(job.dry_counts, {"new": 0, "updated": 0, "unchanged": 0, "bad": 1})
        self.assertEqual([(b["row"], b["code"], b["reason"]) for b in job.bad_rows],
                         [(2, "out_of_scope", REFUSED % "nobody")])
        page = self.client.get(reverse("rosters:job", args=[job.pk]))
        self.assertContains(page, REFUSED % "nobody")
        self.assertNotContains(page, 'data-testid="confirm"')

    def test_an_account_with_no_role_is_not_given_a_grid_nor_renamed(self):
        job = self.confirm(self.dry_run("nobody"))  # the page offers no confirm; posted anyway
        self.assertEqual(job.counts["bad"], 1)
        self.nobody.refresh_from_db()
        self.assertEqual((self.nobody.name, self.nobody.phone), ("无角色", ""))
        self.assertFalse(RoleAssignment.objects.filter(user=self.nobody).exists())
        self.assertFalse(AuditEvent.objects.filter(action="roster.import.grid_workers").exists())

    def test_an_account_granted_a_territory_outside_the_admins_district_is_a_bad_row(self):
        worker = make_user("boatman", "船夫", Role.GRID_WORKER, self.grid_b)  # frank's district
        assign_perm("governance.scope_reveal_pii", worker, self.zhanqian)  # and the other district
        job = self.dry_run("boatman")
        self.assertEqual([(b["code"], b["reason"]) for b in job.bad_rows], [("out_of_scope", REFUSED % "boatman")])

    def test_a_superuser_account_is_never_touched_even_by_the_system(self):
        User.objects.filter(pk=self.nobody.pk).update(is_superuser=True)
        path = self.write_file("w.csv", csv_bytes([HEADER, ["接管", "13800000099", "nobody", self.grid_b.code]]))
        result = self.run_roster("grid_workers", path)
        self.assertEqual([b["code"] for b in result.bad_rows], ["out_of_scope"])
        self.assertFalse(RoleAssignment.objects.filter(user=self.nobody).exists())

    def test_the_system_may_still_give_an_account_with_no_role_its_grid(self):
        path = self.write_file("w.csv", csv_bytes([HEADER, ["无角色", "13800000099", "nobody", self.grid_b.code]]))
        result = self.run_roster("grid_workers", path)  # actor None: the command line, unscoped
        self.assertEqual(result.counts["updated"], 1)
        self.assertTrue(RoleAssignment.objects.filter(user=self.nobody, region=self.grid_b).exists())


class PasswordResetTakeoverTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.worker = make_user("boatman", "船夫", Role.GRID_WORKER, self.grid_b)  # frank's district
        self.client.force_login(self.frank)

    def assert_untouched(self, user: User, before: str) -> None:
        user.refresh_from_db()
        self.assertEqual(user.password, before)
        self.assertFalse(user.must_change_password)
        self.assertFalse(AuditEvent.objects.filter(action="user.password.issue").exists())

    def test_an_account_with_no_role_cannot_have_its_password_reset(self):
        User.objects.filter(pk=self.nobody.pk).update(is_staff=True)
        before = self.nobody.password
        self.assertEqual(self.client.post(PASSWORDS, {"action": "reset", "user": [self.nobody.pk]}).status_code, 404)
        with self.assertRaises(PermissionDenied):
            do_issue_initial_passwords(actor=self.frank, user_ids=[self.nobody.pk], only_without_password=False)
        self.assert_untouched(self.nobody, before)

    def test_a_worker_granted_a_territory_outside_the_admins_district_is_not_listed_nor_reset(self):
        assign_perm("governance.scope_reveal_pii", self.worker, self.zhanqian)
        before = self.worker.password
        self.assertNotContains(self.client.get(PASSWORDS), 'data-testid="worker-boatman"')
        self.assertEqual(self.client.post(PASSWORDS, {"action": "reset", "user": [self.worker.pk]}).status_code, 404)
        with self.assertRaises(PermissionDenied):
            do_issue_initial_passwords(actor=self.frank, user_ids=[self.worker.pk], only_without_password=False)
        self.assert_untouched(self.worker, before)

    def test_a_worker_whose_group_is_granted_a_territory_outside_is_not_reset_either(self):
        from django.contrib.auth.models import Group

        group = Group.objects.create(name="审计")
        assign_perm("governance.scope_view", group, self.city)
        self.worker.groups.add(group)
        before = self.worker.password
        self.assertEqual(self.client.post(PASSWORDS, {"action": "reset", "user": [self.worker.pk]}).status_code, 404)
        with self.assertRaises(PermissionDenied):
            do_issue_initial_passwords(actor=self.frank, user_ids=[self.worker.pk], only_without_password=False)
        self.assert_untouched(self.worker, before)

    def test_a_superuser_holds_no_territory_so_it_issues_no_password_here_nor_to_another_superuser(self):
        # The superuser is for installation only (the audited /admin/ sets a password there).
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        with self.assertRaises(PermissionDenied):
            do_issue_initial_passwords(actor=root, user_ids=[self.nobody.pk], only_without_password=False)
        other = User.objects.create_superuser("root2", password="password", name="另一位")
        with self.assertRaises(PermissionDenied):
            do_issue_initial_passwords(actor=root, user_ids=[other.pk], only_without_password=False)

    def test_a_worker_whose_every_role_lies_in_the_district_is_still_reset(self):
        response = self.client.post(PASSWORDS, {"action": "reset", "user": [self.worker.pk]})
        self.assertEqual(response.status_code, 200)
        self.worker.refresh_from_db()
        self.assertTrue(self.worker.must_change_password)
