"""reencrypt_pii: after a key rotation every stored ID number and phone is written with the new key."""

import base64
import io
from unittest import mock

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, call_command

from governance.models import AuditEvent
from parties import pii
from parties.actions import do_reencrypt_pii_batch
from parties.management.commands.reencrypt_pii import ENCRYPTED
from parties.models import Resident, Unit
from parties.tests.base import SHOP_PHONE, ZHANG_ID, ZHANG_PHONE, RegisterTestCase


def derived_key() -> str:
    return base64.urlsafe_b64encode(pii._derived("pii-encryption", settings.SECRET_KEY)).decode()


class ReencryptPiiTests(RegisterTestCase):
    def setUp(self):
        super().setUp()
        self.old = derived_key()
        # One token from before AES-GCM: Fernet, with the same key.
        Resident.objects.filter(pk=self.zhang.pk).update(
            id_number_encrypted=Fernet(self.old.encode()).encrypt(ZHANG_ID.encode()).decode())
        self.new = Fernet.generate_key().decode()

    def run_command(self) -> str:
        out = io.StringIO()
        call_command("reencrypt_pii", "--batch", "2", stdout=out)
        return out.getvalue()

    def test_it_rewrites_every_token_with_the_new_key_and_the_old_key_can_go(self):
        with self.modify_env(GRIDGOV_PII_KEY=f"{self.new},{self.old}"):
            output = self.run_command()
            self.assertIn("parties.Resident: 4 rows re-encrypted", output)
            self.assertIn("parties.Unit: 1 rows re-encrypted", output)
        self.assertTrue(AuditEvent.objects.filter(action="pii.reencrypt").exists())
        with self.modify_env(GRIDGOV_PII_KEY=self.new):  # the old key removed
            zhang = Resident.objects.get(pk=self.zhang.pk)
            self.assertEqual((zhang.id_number, zhang.phone), (ZHANG_ID, ZHANG_PHONE))
            self.assertTrue(zhang.id_number_encrypted.startswith(pii.TOKEN_PREFIX))
            self.assertEqual(Unit.objects.get(pk=self.shop.pk).contact_phone, SHOP_PHONE)

    def test_a_second_run_changes_nothing(self):
        with self.modify_env(GRIDGOV_PII_KEY=f"{self.new},{self.old}"):
            self.run_command()
            before = list(Resident.objects.order_by("pk").values_list("id_number_encrypted", "phone_encrypted"))
            self.assertIn("done: 0 rows", self.run_command())
            self.assertEqual(list(Resident.objects.order_by("pk").values_list("id_number_encrypted", "phone_encrypted")),
                             before)

    def test_a_token_no_key_can_read_stops_it_with_a_clear_error(self):
        with self.modify_env(GRIDGOV_PII_KEY=self.new):  # the old key forgotten
            with self.assertRaisesMessage(CommandError, "parties.Resident"):
                self.run_command()

    def modify_env(self, **values):
        return mock.patch.dict("os.environ", values)


class StoredMaskTests(RegisterTestCase):
    def test_a_mask_stored_beside_a_token_is_recomputed_from_the_decrypted_value(self):
        # disputes' parties store id_number_masked / phone_masked beside their tokens; any model's
        # stored masks go through the same path. Here the resident's note stands in for such a column.
        Resident.objects.filter(pk=self.zhang.pk).update(note="1101**********002X")
        rows = list(Resident.objects.filter(pk=self.zhang.pk).values("pk", "id_number_encrypted", "id_number_hash", "note"))
        changed = do_reencrypt_pii_batch(actor=None, model=Resident, fields=("id_number_encrypted",), rows=rows,
                                         masks={"id_number_encrypted": ("note", pii.mask_id_number)})
        self.assertEqual(changed, 1)
        zhang = Resident.objects.get(pk=self.zhang.pk)
        self.assertEqual((zhang.note, zhang.id_number), ("110105************", ZHANG_ID))
        rows = list(Resident.objects.filter(pk=self.zhang.pk).values("pk", "id_number_encrypted", "id_number_hash", "note"))
        self.assertEqual(do_reencrypt_pii_batch(actor=None, model=Resident, fields=("id_number_encrypted",), rows=rows,
                                                masks={"id_number_encrypted": ("note", pii.mask_id_number)}), 0)

    def test_the_command_recomputes_the_masks_disputes_stores(self):
        masks = {label: m for label, __, m in ENCRYPTED}
        self.assertEqual({f: field for f, (field, __) in masks["disputes.Party"].items()},
                         {"id_number_enc": "id_number_masked", "phone_enc": "phone_masked"})
