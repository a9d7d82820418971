"""Write every stored ID number and phone again with the newest key, bound to its row and column
(after a key rotation, to move tokens written before AES-GCM off Fernet, or to bind the unbound
"G1." tokens), and recompute the masks stored beside some of them (disputes' parties keep
`id_number_masked` / `phone_masked` columns: they follow parties.pii's masks as they are today).
Safe to stop and run again: rows already current are left alone.

    GRIDGOV_PII_KEY=<new>,<old> python manage.py reencrypt_pii [--batch 2000]

When it reports 0 left, the old key can be removed from GRIDGOV_PII_KEY.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from parties import pii
from parties.actions import do_reencrypt_pii_batch

# Every encrypted column there is: (model, token fields, {token field: (stored mask field, mask)}).
# A model's tokens are bound to its rows where it declares `pii_bindings` (parties' models);
# disputes.Party does not yet, so its tokens stay unbound ("G1.") until it does.
ENCRYPTED = (
    ("parties.Resident", ("id_number_encrypted", "phone_encrypted"), {}),
    ("parties.Unit", ("contact_phone_encrypted",), {}),
    ("parties.InServiceMember", ("phone_encrypted",), {}),
    ("disputes.Party", ("id_number_enc", "phone_enc"),
     {"id_number_enc": ("id_number_masked", pii.mask_id_number), "phone_enc": ("phone_masked", pii.mask_phone)}),
)


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers and phones with the newest GRIDGOV_PII_KEY, bound to their rows; recompute stored masks."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        if not 1 <= batch <= 50_000:
            raise CommandError("--batch must be between 1 and 50000.")
        total = 0
        for label, fields, masks in ENCRYPTED:
            model = apps.get_model(label)
            keys = {k for k in getattr(model, "pii_bindings", {}).values() if k != "pk"}
            columns = ["pk", *fields, *sorted(keys), *(m for m, __ in masks.values())]
            changed = last = 0
            while True:
                rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").values(*columns)[:batch])
                if not rows:
                    break
                last = rows[-1]["pk"]
                try:
                    changed += do_reencrypt_pii_batch(actor=None, model=model, fields=fields, rows=rows, masks=masks)
                except ValueError as error:
                    raise CommandError(f"{label} ({error})") from None
            self.stdout.write(f"{label}: {changed} rows re-encrypted")
            total += changed
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows re-encrypted, 0 left on older keys"))
