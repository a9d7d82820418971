"""/admin/: for active superusers only (a staff account is sent to sign in and cannot sign in), and
every add, change and delete made there leaves one AuditEvent (issue 11, item 2)."""

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from governance.admin_audit import AuditedAdmin, GridgovAdminSite
from governance.models import AuditEvent, Department, DepartmentKind, User
from governance.tests.base import TerritoryTestCase


def change_form_data(response) -> dict:
    """What the admin's change form would post back unchanged: each field's current value."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        widget = field.widget
        if hasattr(widget, "widgets"):  # split date and time
            # A field with a callable default (date_joined) posts its initial value too, hidden.
            for key in (name, f"initial-{name}") if field.show_hidden_initial else (name,):
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    return data


class AdminSiteTests(TerritoryTestCase):
    def setUp(self):
        self.staff = User.objects.create_user("staffer", password="password", name="职员", is_staff=True)
        self.staff.user_permissions.set(Permission.objects.filter(content_type__app_label="governance"))
        self.root = User.objects.create_superuser("root", password="password", name="超级管理员")

    def test_a_staff_account_that_is_not_a_superuser_is_sent_to_the_admin_sign_in(self):
        self.client.force_login(self.staff)
        for url in (reverse("admin:index"), reverse("admin:governance_user_change", args=[self.staff.pk])):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("admin:login")))

    def test_a_staff_account_cannot_tick_itself_superuser(self):
        self.client.force_login(self.root)
        data = change_form_data(self.client.get(reverse("admin:governance_user_change", args=[self.staff.pk])))
        self.client.force_login(self.staff)
        response = self.client.post(reverse("admin:governance_user_change", args=[self.staff.pk]),
                                     {**data, "is_superuser": "on"})
        self.assertEqual(response.status_code, 302)
        self.staff.refresh_from_db()
        self.assertFalse(self.staff.is_superuser)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="admin.").exists())

    def test_the_admin_sign_in_is_the_sites_own_with_its_lockout_and_second_factor(self):
        response = self.client.get(reverse("admin:login") + "?next=/admin/governance/user/")
        self.assertRedirects(response, "/login/?next=%2Fadmin%2Fgovernance%2Fuser%2F", fetch_redirect_response=False)

    def test_a_staff_account_signed_in_to_the_site_is_refused_the_admin(self):
        self.client.post(reverse("login"), {"username": "staffer", "password": "password", "next": "/admin/"})
        response = self.client.get(reverse("admin:login"), follow=True)
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "后台管理仅限超级管理员使用", status_code=403)

    def test_a_superuser_signing_in_is_first_sent_to_set_up_the_second_factor(self):
        response = self.client.post(reverse("login"), {"username": "root", "password": "password",
                                                       "next": reverse("admin:index")})
        self.assertRedirects(response, reverse("totp-enrol"), fetch_redirect_response=False)
        self.assertRedirects(self.client.get(reverse("admin:index")), reverse("totp-enrol"),
                             fetch_redirect_response=False)

    def test_a_superusers_change_leaves_one_audit_event_naming_the_model_the_object_and_the_fields(self):
        self.client.force_login(self.root)
        url = reverse("admin:governance_user_change", args=[self.nobody.pk])
        data = change_form_data(self.client.get(url))
        response = self.client.post(url, {**data, "is_staff": "on", "is_superuser": "on", "name": "新名字"})
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        self.nobody.refresh_from_db()
        self.assertTrue(self.nobody.is_superuser)
        event = AuditEvent.objects.get(action__startswith="admin.")
        self.assertEqual((event.action, event.actor, event.target_type, event.target_id),
                         ("admin.change", self.root, "governance.user", str(self.nobody.pk)))
        self.assertEqual(event.detail, {"model": "governance.User", "id": str(self.nobody.pk),
                                        "fields": ["is_staff", "is_superuser", "name"]})

    def test_setting_a_password_in_the_admin_is_audited_without_the_password(self):
        self.client.force_login(self.root)
        response = self.client.post(reverse("admin:auth_user_password_change", args=[self.nobody.pk]),
                                    {"password1": "Xq7-long-Secret", "password2": "Xq7-long-Secret",
                                     "usable_password": "true"})
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(action="admin.change")
        self.assertEqual(event.detail["fields"], ["password"])
        self.assertNotIn("Xq7-long-Secret", str(event.detail))

    def test_an_add_and_a_delete_are_audited_with_the_objects_territory(self):
        self.client.force_login(self.root)
        response = self.client.post(reverse("admin:governance_department_add"),
                                    {"name": "八田地司法所", "kind": DepartmentKind.JUSTICE, "region": self.batiandi.code})
        self.assertEqual(response.status_code, 302)
        department = Department.objects.get(name="八田地司法所")
        added = AuditEvent.objects.get(action="admin.add")
        self.assertEqual((added.target_type, added.target_id, added.region_code),
                         ("governance.department", str(department.pk), self.batiandi.code))
        self.assertEqual(added.detail["fields"], ["name", "kind", "region"])
        self.client.post(reverse("admin:governance_department_delete", args=[department.pk]), {"post": "yes"})
        self.assertFalse(Department.objects.filter(pk=department.pk).exists())
        deleted = AuditEvent.objects.get(action="admin.delete")
        self.assertEqual(deleted.detail, {"model": "governance.Department", "id": str(department.pk), "fields": []})

    def test_a_bulk_delete_leaves_one_audit_event_per_object(self):
        first = Department.objects.create(name="甲", kind=DepartmentKind.JUSTICE, region=self.wutaizi)
        second = Department.objects.create(name="乙", kind=DepartmentKind.JUSTICE, region=self.wutaizi)
        self.client.force_login(self.root)
        self.client.post(reverse("admin:governance_department_changelist"),
                         {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"})
        self.assertFalse(Department.objects.filter(pk__in=[first.pk, second.pk]).exists())
        self.assertEqual(sorted(AuditEvent.objects.filter(action="admin.delete").values_list("target_id", flat=True)),
                         sorted([str(first.pk), str(second.pk)]))

    def test_a_territorial_grant_made_on_the_admins_permissions_page_is_audited(self):
        self.client.force_login(self.root)
        url = reverse("admin:governance_region_permissions_manage_user", args=[self.xishi.pk, self.nobody.pk])
        response = self.client.post(url, {"permissions": ["scope_reveal_pii", "scope_view"]})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.nobody.has_perm("governance.scope_reveal_pii", self.xishi))
        event = AuditEvent.objects.get(action="admin.change")
        self.assertEqual((event.target_type, event.target_id, event.region_code),
                         ("governance.region", self.xishi.pk, self.xishi.code))
        self.assertEqual(event.detail, {"model": "governance.Region", "id": self.xishi.pk, "fields": ["permissions"],
                                        "user": "nobody", "added": ["scope_reveal_pii", "scope_view"], "removed": []})
        self.client.post(url, {"permissions": ["scope_view"]})
        self.assertEqual(AuditEvent.objects.filter(action="admin.change").latest("pk").detail["removed"],
                         ["scope_reveal_pii"])

    def test_a_groups_territorial_grant_is_audited_too(self):
        group = Group.objects.create(name="审计")
        self.client.force_login(self.root)
        self.client.post(reverse("admin:governance_region_permissions_manage_group", args=[self.city.pk, group.pk]),
                         {"permissions": ["scope_view"]})
        event = AuditEvent.objects.get(action="admin.change")
        self.assertEqual((event.detail["group"], event.detail["added"]), ("审计", ["scope_view"]))

    def test_every_model_in_the_admin_is_audited_on_the_superuser_only_site(self):
        self.assertIsInstance(admin.site, GridgovAdminSite)
        self.assertTrue(admin.site._registry)
        for model, model_admin in admin.site._registry.items():
            self.assertIsInstance(model_admin, AuditedAdmin, model)
