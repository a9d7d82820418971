"""Disputes plus a few registered residents and units (cases link to them).

grid_a (carol's): 张三 (ZHANG_ID, ZHANG_PHONE), unit 五大门便民超市; grid_a2: 李五;
grid_b (the other district): 王六.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from disputes.tests.dispute_base import DisputeTestCase
from parties import actions as pa
from parties.tests.base import LI_ID, SHOP_PHONE, WANG_ID, ZHANG_ID, ZHANG_PHONE

__all__ = ["LinkTestCase", "ZHANG_ID", "ZHANG_PHONE"]


class LinkTestCase(DisputeTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.zhang = pa.do_create_resident(actor=None, grid=cls.grid_a, name="张三", id_number=ZHANG_ID,
                                          phone=ZHANG_PHONE)
        cls.li = pa.do_create_resident(actor=None, grid=cls.grid_a2, name="李五", id_number=LI_ID)
        cls.wang = pa.do_create_resident(actor=None, grid=cls.grid_b, name="王六", id_number=WANG_ID)
        cls.shop = pa.do_create_unit(actor=None, grid=cls.grid_a, name="五大门便民超市", kind="shop",
                                     contact_phone=SHOP_PHONE)

    def setUp(self) -> None:
        # Warm the content-type cache (scope looks up object grants by content type): stable query counts.
        ContentType.objects.get_for_models(*apps.get_app_config("parties").get_models(),
                                           *apps.get_app_config("disputes").get_models())
