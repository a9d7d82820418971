"""/cases/config/: the taxonomy, time limits and working calendar — readable by all, changed by city admins."""

from datetime import date

from disputes.models import CalendarDay, Category, TimeLimit
from disputes.tests.base import CaseTestCase
from governance.models import AuditEvent
from governance.roles import Role
from governance.tests.base import make_user


class CaseConfigTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.root = make_user("root", "市管理员", Role.ADMIN, cls.city)

    def test_everyone_signed_in_reads_the_limits_but_only_admins_get_forms(self):
        self.client.force_login(self.carol)
        r = self.client.get("/cases/config/")
        self.assertContains(r, "楼道堆物")
        self.assertContains(r, "2工作小时")
        self.assertNotContains(r, "添加类别")
        self.client.force_login(self.root)
        self.assertContains(self.client.get("/cases/config/"), "添加类别")

    def test_a_city_admin_sets_a_time_limit_and_it_is_audited(self):
        self.client.force_login(self.root)
        r = self.client.post("/cases/config/limit/", {"category": self.clutter.pk, "stage": "handle",
                                                       "amount": "6", "unit": "hours"})
        self.assertRedirects(r, "/cases/config/")
        limit = TimeLimit.objects.get(category=self.clutter, stage="handle")
        self.assertEqual((limit.amount, limit.unit), (6, "hours"))
        self.assertTrue(AuditEvent.objects.filter(action="case_time_limit.set", actor=self.root).exists())

    def test_a_district_admin_or_a_street_officer_cannot_change_city_wide_settings(self):
        for user in (self.frank, self.alice):
            self.client.force_login(user)
            r = self.client.post("/cases/config/limit/", {"category": self.clutter.pk, "stage": "handle",
                                                           "amount": "6", "unit": "hours"})
            self.assertContains(r, "只有市级管理员", status_code=403)
        self.assertFalse(TimeLimit.objects.filter(category=self.clutter).exists())

    def test_bad_values_give_a_chinese_400(self):
        self.client.force_login(self.root)
        r = self.client.post("/cases/config/limit/", {"category": self.clutter.pk, "stage": "handle",
                                                       "amount": "0", "unit": "hours"})
        self.assertContains(r, "时限须为", status_code=400)
        r = self.client.post("/cases/config/day/", {"date": "2026-02-30", "kind": "holiday"})
        self.assertContains(r, "日期格式", status_code=400)
        r = self.client.post("/cases/config/category/", {"code": "04", "name": "重复"})
        self.assertContains(r, "已存在", status_code=400)

    def test_a_city_admin_adds_a_holiday_and_a_make_up_day_and_removes_one(self):
        self.client.force_login(self.root)
        self.client.post("/cases/config/day/", {"date": "2026-10-01", "kind": "holiday", "note": "国庆节"})
        self.client.post("/cases/config/day/", {"date": "2026-10-10", "kind": "workday", "note": "调休"})
        self.assertEqual(CalendarDay.objects.get(date=date(2026, 10, 10)).kind, "workday")
        entry = CalendarDay.objects.get(date=date(2026, 10, 1))
        self.assertRedirects(self.client.post("/cases/config/remove-day/", {"day": entry.pk}), "/cases/config/")
        self.assertFalse(CalendarDay.objects.filter(date=date(2026, 10, 1)).exists())

    def test_a_city_admin_adds_a_sub_category_and_deactivates_it(self):
        self.client.force_login(self.root)
        self.client.post("/cases/config/category/", {"code": "0405", "name": "消防栓损坏", "parent": self.fire.pk})
        sub = Category.objects.get(code="0405")
        self.assertEqual(sub.parent, self.fire)
        self.client.post("/cases/config/active/", {"category": sub.pk, "active": "0"})
        sub.refresh_from_db()
        self.assertFalse(sub.is_active)
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get("/cases/new/"), "消防栓损坏")

    def test_a_third_level_is_refused(self):
        self.client.force_login(self.root)
        r = self.client.post("/cases/config/category/", {"code": "040201", "name": "三级", "parent": self.clutter.pk})
        self.assertContains(r, "最多两级", status_code=400)
