"""Write every stored ID number and phone again with the newest key (after a key rotation, or to
move tokens written before AES-GCM off Fernet). Safe to stop and run again: tokens already
written with the newest key are left alone.

    GRIDGOV_PII_KEY=<new>,<old> python manage.py reencrypt_pii [--batch 2000]

When it reports 0 left, the old key can be removed from GRIDGOV_PII_KEY.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from parties.actions import do_reencrypt_pii_batch

# Every encrypted column there is: (model, fields).
ENCRYPTED = (
    ("parties.Resident", ("id_number_encrypted", "phone_encrypted")),
    ("parties.Unit", ("contact_phone_encrypted",)),
    ("parties.InServiceMember", ("phone_encrypted",)),
    ("disputes.Party", ("id_number_enc", "phone_enc")),
)


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers and phones with the newest GRIDGOV_PII_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        if not 1 <= batch <= 50_000:
            raise CommandError("--batch must be between 1 and 50000.")
        total = 0
        for label, fields in ENCRYPTED:
            model = apps.get_model(label)
            changed = last = 0
            while True:
                rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch])
                if not rows:
                    break
                last = rows[-1][0]
                try:
                    changed += do_reencrypt_pii_batch(actor=None, model=model, fields=fields, rows=rows)
                except ValueError as error:
                    raise CommandError(f"{label} (id > {rows[0][0] - 1}): {error}") from None
            self.stdout.write(f"{label}: {changed} rows re-encrypted")
            total += changed
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows re-encrypted, 0 left on older keys"))
