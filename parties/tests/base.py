"""Registers in the named territory of governance.tests.base.

grid_a  (五大门 001, carol's grid): 3号楼 1单元 101 — 张三 (tagged 社区矫正人员), 张四; unit 便民超市
        carol's duty covers the special groups of her grid: a grant of view_sensitive_tags on grid_a
        (as a security administrator gives one); gwen, the other worker of grid_a, has none
grid_a2 (五大门 002): 5号楼 2单元 202 — 李五
grid_b  (渔市 001, other district): 8号楼 1单元 301 — 王六; unit 渔市商店
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user
from parties import actions

ZHANG_ID = "11010519491231002X"
ZHANG_PHONE = "13812345678"
ZHANGSI_ID = "440524188001010014"
LI_ID = "210802199001011235"
WANG_ID = "110101200002290018"
WANG_PHONE = "0417-2812345"
SHOP_CODE = "91350100M000100Y43"
SHOP_PHONE = "13900001111"


class RegisterTestCase(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # A community staff member of 五大门 (may reveal), and a grid worker of the other district.
        cls.grace = make_user("grace", "葛瑞丝", Role.COMMUNITY_STAFF, cls.wudamen)
        cls.henry = make_user("henry", "亨利", Role.GRID_WORKER, cls.grid_b)
        cls.gwen = make_user("gwen", "格温", Role.GRID_WORKER, cls.grid_a)
        from guardian.shortcuts import assign_perm

        assign_perm("governance.scope_view_sensitive_tags", cls.carol, cls.grid_a)
        cls.house_a = actions.find_or_create_house(actor=None, grid=cls.grid_a, building_name="3号楼", unit_no="1单元", room="101")
        cls.house_a2 = actions.find_or_create_house(actor=None, grid=cls.grid_a2, building_name="5号楼", unit_no="2单元", room="202")
        cls.house_b = actions.find_or_create_house(actor=None, grid=cls.grid_b, building_name="8号楼", unit_no="1单元", room="301")
        cls.zhang = actions.do_create_resident(
            actor=None, grid=cls.grid_a, name="张三", id_number=ZHANG_ID, phone=ZHANG_PHONE, house=cls.house_a,
            tags=["社区矫正人员"],
        )
        cls.zhangsi = actions.do_create_resident(actor=None, grid=cls.grid_a, name="张四", id_number=ZHANGSI_ID, house=cls.house_a)
        cls.li = actions.do_create_resident(actor=None, grid=cls.grid_a2, name="李五", id_number=LI_ID, house=cls.house_a2)
        cls.wang = actions.do_create_resident(
            actor=None, grid=cls.grid_b, name="王六", id_number=WANG_ID, phone=WANG_PHONE, house=cls.house_b
        )
        cls.shop = actions.do_create_unit(
            actor=None, grid=cls.grid_a, name="五大门便民超市", credit_code=SHOP_CODE, kind="shop", contact_phone=SHOP_PHONE
        )
        cls.shop_b = actions.do_create_unit(actor=None, grid=cls.grid_b, name="渔市商店", kind="shop")

    def setUp(self) -> None:
        cache.clear()  # the per-minute counts of exact look-ups (parties.lookups) start afresh
        # Warm the content-type cache (scope looks up object grants by content type), so query counts
        # are stable: the register pages also read what the apps above add to them (parties.panels).
        ContentType.objects.get_for_models(*apps.get_models())

    def assertMasked(self, content: str) -> None:
        """None of the plain ID numbers or phones appear."""
        for plain in (ZHANG_ID, ZHANGSI_ID, LI_ID, WANG_ID, ZHANG_PHONE, "2812345", SHOP_PHONE):
            self.assertNotIn(plain, content)


# The registered people and units every app's tests share (disputes' link tests too): defined once, here.
__all__ = [
    "LI_ID", "SHOP_CODE", "SHOP_PHONE", "WANG_ID", "WANG_PHONE", "ZHANGSI_ID", "ZHANG_ID", "ZHANG_PHONE",
    "RegisterTestCase", "RoleAssignment",
]
