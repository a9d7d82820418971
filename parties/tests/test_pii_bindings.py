"""Each stored token is bound to its row and column (parties.pii.aad): copied into another row or
another column it does not decrypt, and the page says so instead of answering 500 — or showing
someone else's number. Tokens written before the binding still read; reencrypt_pii binds them."""

import io
import re

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command

from governance.models import AuditEvent
from parties import actions, pii
from parties.models import InServiceMember, Resident, Unit
from parties.tests.base import LI_ID, SHOP_PHONE, ZHANG_ID, ZHANG_PHONE, RegisterTestCase
from parties.tests.test_reencrypt_pii import derived_key

UNREADABLE = str(pii.UNREADABLE)


class TokenBindingTestCase(RegisterTestCase):
    def move(self, **columns):
        """Copy zhang's tokens into li's row (or into another column of zhang's), as a database writer could."""
        zhang = Resident.objects.values("id_number_encrypted", "phone_encrypted").get(pk=self.zhang.pk)
        Resident.objects.filter(pk=columns.pop("to")).update(**{dst: zhang[src] for dst, src in columns.items()})

    def test_a_token_moved_to_another_residents_row_does_not_decrypt_and_the_page_says_so(self):
        self.move(to=self.li.pk, id_number_encrypted="id_number_encrypted", phone_encrypted="phone_encrypted")
        li = Resident.objects.get(pk=self.li.pk)
        self.assertEqual((li.id_number, li.phone, li.id_number_masked), (UNREADABLE, UNREADABLE, UNREADABLE))
        self.client.force_login(self.grace)  # may reveal in 五大门
        page = self.client.get(f"/registers/residents/{self.li.pk}/")
        self.assertContains(page, UNREADABLE)
        revealed = self.client.post(f"/registers/residents/{self.li.pk}/reveal/")
        self.assertContains(revealed, UNREADABLE)
        self.assertNotContains(revealed, ZHANG_ID)
        self.assertNotContains(revealed, ZHANG_PHONE)
        self.assertEqual(AuditEvent.objects.get(action="pii.reveal").detail["unreadable"], ["id_number", "phone"])
        self.assertContains(self.client.get("/registers/residents/"), UNREADABLE)  # the list, too

    def test_a_token_moved_to_another_column_of_the_same_row_does_not_decrypt(self):
        self.move(to=self.zhang.pk, phone_encrypted="id_number_encrypted")
        zhang = Resident.objects.get(pk=self.zhang.pk)
        self.assertEqual(zhang.phone, UNREADABLE)
        self.assertEqual(zhang.id_number, ZHANG_ID)

    def test_a_residents_token_moved_to_a_unit_does_not_decrypt(self):
        Unit.objects.filter(pk=self.shop.pk).update(
            contact_phone_encrypted=Resident.objects.get(pk=self.zhang.pk).phone_encrypted,
            contact_phone_hash=pii.blind_index(ZHANG_PHONE))
        self.client.force_login(self.grace)
        self.assertContains(self.client.post(f"/registers/units/{self.shop.pk}/reveal/"), UNREADABLE)

    def test_tokens_written_before_the_binding_still_read(self):
        key = derived_key()
        Resident.objects.filter(pk=self.zhang.pk).update(
            id_number_encrypted=Fernet(key.encode()).encrypt(ZHANG_ID.encode()).decode(),  # Fernet, before AES-GCM
            phone_encrypted=pii.encrypt(ZHANG_PHONE))  # AES-GCM without associated data ("G1.")
        zhang = Resident.objects.get(pk=self.zhang.pk)
        self.assertEqual((zhang.id_number, zhang.phone), (ZHANG_ID, ZHANG_PHONE))
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(f"/registers/residents/{self.zhang.pk}/"), "110105************")

    def test_reencrypt_pii_binds_the_old_tokens_to_their_rows(self):
        Resident.objects.filter(pk=self.zhang.pk).update(id_number_encrypted=pii.encrypt(ZHANG_ID),
                                                         phone_encrypted=pii.encrypt(ZHANG_PHONE))
        Unit.objects.filter(pk=self.shop.pk).update(contact_phone_encrypted=pii.encrypt(SHOP_PHONE))
        out = io.StringIO()
        call_command("reencrypt_pii", stdout=out)
        self.assertIn("parties.Resident: 1 rows re-encrypted", out.getvalue())
        self.assertIn("parties.Unit: 1 rows re-encrypted", out.getvalue())
        zhang = Resident.objects.get(pk=self.zhang.pk)
        self.assertTrue(zhang.id_number_encrypted.startswith(pii.TOKEN_PREFIX))
        self.assertEqual(pii.decrypt(zhang.id_number_encrypted, aad=zhang.pii_aad("id_number_encrypted")), ZHANG_ID)
        self.assertEqual(pii.decrypt(zhang.phone_encrypted, aad=zhang.pii_aad("phone_encrypted")), ZHANG_PHONE)
        self.assertEqual(Unit.objects.get(pk=self.shop.pk).contact_phone, SHOP_PHONE)
        self.assertIn("done: 0 rows", self._run_again())

    def test_reencrypt_pii_stops_at_a_moved_token_naming_its_row(self):
        self.move(to=self.li.pk, id_number_encrypted="id_number_encrypted")
        with self.assertRaisesRegex(Exception, rf"parties.Resident \(id {self.li.pk}: "):
            call_command("reencrypt_pii", stdout=io.StringIO())

    def test_a_new_id_number_binds_the_phone_anew(self):
        actions.do_update_resident(actor=self.carol, resident=self.zhang, id_number="210802198001010019")
        zhang = Resident.objects.get(pk=self.zhang.pk)
        self.assertEqual((zhang.id_number, zhang.phone), ("210802198001010019", ZHANG_PHONE))
        actions.do_update_resident(actor=self.carol, resident=zhang, id_number=ZHANG_ID, phone="13900009999")
        zhang = Resident.objects.get(pk=self.zhang.pk)
        self.assertEqual((zhang.id_number, zhang.phone), (ZHANG_ID, "13900009999"))
        event = AuditEvent.objects.filter(action="resident.update").latest("id")
        self.assertEqual(event.detail["changes"]["phone"], ["138****5678", "139****9999"])

    def test_an_in_service_members_phone_is_bound_to_its_row(self):
        one = actions.do_register_in_service_member(actor=None, community=self.wudamen, name="甲", employer="区法院",
                                                    registered_on="2026-03-01", phone="13700001111")
        other = actions.do_register_in_service_member(actor=None, community=self.wudamen, name="乙", employer="区法院",
                                                      registered_on="2026-03-01", phone="13700002222")
        self.assertTrue(one.phone_encrypted.startswith(pii.TOKEN_PREFIX))
        self.assertEqual(InServiceMember.objects.get(pk=one.pk).phone_masked, "137****1111")
        InServiceMember.objects.filter(pk=other.pk).update(phone_encrypted=one.phone_encrypted)
        self.assertEqual(InServiceMember.objects.get(pk=other.pk).phone_masked, UNREADABLE)

    def test_the_binding_names_the_table_the_column_and_the_key(self):
        self.assertEqual(self.zhang.pii_aad("phone_encrypted"),
                         f"parties.resident.phone_encrypted:{pii.blind_index(ZHANG_ID)}".encode())
        self.assertTrue(re.fullmatch(r"parties\.unit\.contact_phone_encrypted:[0-9a-f]{64}",
                                     self.shop.pii_aad("contact_phone_encrypted").decode()))
        self.assertNotEqual(pii.aad(Resident, "id_number_encrypted", pii.blind_index(LI_ID)),
                            self.zhang.pii_aad("id_number_encrypted"))
        self.assertTrue(settings.PII_DEV_KEYS_ALLOWED)  # the tests run on the development keys

    def _run_again(self) -> str:
        out = io.StringIO()
        call_command("reencrypt_pii", stdout=out)
        return out.getvalue()
