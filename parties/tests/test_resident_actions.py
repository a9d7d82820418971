from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from governance.models import AuditEvent
from parties import actions, pii
from parties.models import Resident, ResidentTag
from parties.tests.base import ZHANG_ID, ZHANG_PHONE, RegisterTestCase


class CreateResidentTestCase(RegisterTestCase):
    def test_gender_and_birth_date_come_from_the_id_number(self):
        self.assertEqual(self.zhang.gender, "F")
        self.assertEqual(self.zhang.birth_date.isoformat(), "1949-12-31")
        self.assertEqual(self.zhangsi.gender, "M")

    def test_the_id_number_is_encrypted_in_the_database_and_found_by_its_keyed_hash(self):
        with connection.cursor() as c:
            c.execute("SELECT id_number_encrypted, phone_encrypted, id_number_hash FROM parties_resident")
            dump = repr(c.fetchall())
        self.assertNotIn(ZHANG_ID, dump)
        self.assertNotIn(ZHANG_PHONE, dump)
        self.assertEqual(Resident.objects.get(id_number_hash=pii.blind_index(ZHANG_ID)), self.zhang)
        self.assertEqual(self.zhang.id_number, ZHANG_ID)

    def test_a_grid_worker_registers_a_resident_in_their_grid_with_one_audit_row(self):
        r = actions.do_create_resident(
            actor=self.carol, grid=self.grid_a, name=" 赵七 ", id_number=" 21080219900202124０", phone="138 0000 1111"
        )
        self.assertEqual(r.name, "赵七")
        event = AuditEvent.objects.get(action="resident.create", target_id=str(r.pk))
        self.assertEqual(event.actor, self.carol)
        self.assertEqual(event.region_code, self.grid_a.code)
        self.assertEqual(event.detail["id_number"], "210802************")

    def test_a_grid_worker_cannot_register_in_another_grid(self):
        with self.assertRaises(PermissionDenied):
            actions.do_create_resident(actor=self.carol, grid=self.grid_b, name="赵七", id_number="210802199001011235")

    def test_a_duplicate_id_number_is_refused_in_chinese(self):
        with self.assertRaises(ValidationError) as e:
            actions.do_create_resident(actor=None, grid=self.grid_a2, name="冒名", id_number=ZHANG_ID.lower())
        self.assertIn("已登记在册", e.exception.message_dict["id_number"][0])

    def test_every_bad_field_is_reported_at_once(self):
        with self.assertRaises(ValidationError) as e:
            actions.do_create_resident(
                actor=None, grid=self.grid_a, name="", id_number="110105194912310021", phone="2345",
                political_status="党员吧",
            )
        errors = e.exception.message_dict
        self.assertIn("姓名不能为空", errors["name"][0])
        self.assertIn("校验不通过", errors["id_number"][0])
        self.assertIn("既不是 11 位手机号码", errors["phone"][0])
        self.assertIn("政治面貌", errors["political_status"][0])

    def test_labels_from_rosters_are_accepted_for_choices(self):
        r = actions.do_create_resident(
            actor=None, grid=self.grid_a, name="钱八", id_number="210802198001010019", political_status="中共党员",
            residency_type="流动人口", tags=["低保户", "空巢老人"],
        )
        self.assertEqual((r.political_status, r.residency_type), ("cpc_member", "floating"))
        self.assertEqual(set(r.tags.values_list("tag", flat=True)), {"subsistence", "empty_nest_elderly"})

    def test_a_house_in_another_grid_is_refused(self):
        with self.assertRaises(ValidationError) as e:
            actions.do_create_resident(actor=None, grid=self.grid_a, name="钱八", id_number="210802198001010019", house=self.house_b)
        self.assertIn("不在该网格内", e.exception.message_dict["house"][0])


class UpdateResidentTestCase(RegisterTestCase):
    def test_changing_the_id_number_rederives_gender_and_birth_date_and_audits_masked_values(self):
        actions.do_update_resident(actor=self.carol, resident=self.zhang, id_number="210802198001010019", name="张三丰")
        self.zhang.refresh_from_db()
        self.assertEqual((self.zhang.gender, self.zhang.birth_date.year, self.zhang.name), ("M", 1980, "张三丰"))
        event = AuditEvent.objects.get(action="resident.update", target_id=str(self.zhang.pk))
        self.assertEqual(event.detail["changes"]["id_number"], ["110105************", "210802************"])
        self.assertEqual(event.detail["changes"]["name"], ["张三", "张三丰"])
        self.assertNotIn(ZHANG_ID, str(event.detail))

    def test_nothing_changed_writes_no_audit_row(self):
        actions.do_update_resident(actor=self.carol, resident=self.zhang, name="张三", phone=ZHANG_PHONE)
        self.assertFalse(AuditEvent.objects.filter(action="resident.update").exists())

    def test_a_grid_worker_of_another_grid_cannot_change_a_resident(self):
        with self.assertRaises(PermissionDenied):
            actions.do_update_resident(actor=self.henry, resident=self.zhang, name="x")


class TagTestCase(RegisterTestCase):
    def test_a_tag_records_who_set_it_and_removing_it_keeps_the_history(self):
        tag = actions.do_set_resident_tag(actor=self.carol, resident=self.zhangsi, tag="key_youth", note="辍学")
        self.assertEqual(tag.set_by, self.carol)
        actions.do_remove_resident_tag(actor=self.carol, tag=tag, reason="已复学")
        tag.refresh_from_db()
        self.assertEqual((tag.removed_by, tag.removed_reason), (self.carol, "已复学"))
        again = actions.do_set_resident_tag(actor=self.carol, resident=self.zhangsi, tag="重点青少年")
        self.assertEqual(ResidentTag.objects.filter(resident=self.zhangsi, tag="key_youth").count(), 2)
        self.assertTrue(again.active)
        self.assertEqual(AuditEvent.objects.filter(action__startswith="resident.tag", target_id=str(self.zhangsi.pk)).count(), 3)

    def test_the_same_active_tag_twice_is_refused(self):
        with self.assertRaises(ValidationError) as e:
            actions.do_set_resident_tag(actor=self.carol, resident=self.zhang, tag="community_correction")
        self.assertIn("已有标签", e.exception.messages[0])

    def test_an_unknown_tag_is_refused_in_chinese(self):
        with self.assertRaises(ValidationError) as e:
            actions.do_set_resident_tag(actor=self.carol, resident=self.zhang, tag="坏人")
        self.assertIn("不在可选范围内", e.exception.messages[0])


class RevealActionTestCase(RegisterTestCase):
    def test_a_reveal_returns_the_values_and_records_who_whose_and_when(self):
        values = actions.do_reveal_pii(actor=self.grace, target=self.zhang)
        self.assertEqual(values, {"id_number": ZHANG_ID, "phone": ZHANG_PHONE, "birth_date": "1949-12-31"})
        event = AuditEvent.objects.get(action="pii.reveal")
        self.assertEqual((event.actor, event.target_type, event.target_id), (self.grace, "parties.resident", str(self.zhang.pk)))
        self.assertIsNotNone(event.at)
        self.assertNotIn(ZHANG_ID, str(event.detail))

    def test_a_grid_worker_may_not_reveal(self):
        with self.assertRaises(PermissionDenied):
            actions.do_reveal_pii(actor=self.carol, target=self.zhang)
        self.assertFalse(AuditEvent.objects.filter(action="pii.reveal").exists())


class ConcurrentWriteTestCase(RegisterTestCase):
    def test_a_unique_id_lost_to_a_concurrent_writer_is_a_chinese_validation_error(self):
        # Another request registered the same person between our check and our insert.
        with mock.patch("parties.models.Resident.objects.filter") as filt:
            filt.return_value.exists.return_value = False
            with self.assertRaises(ValidationError) as e:
                actions.do_create_resident(actor=None, grid=self.grid_a, name="重复", id_number=ZHANG_ID)
        self.assertIn("已登记在册", e.exception.message_dict["id_number"][0])
