"""python manage.py verify_audit_chain: walk the audit trail's hash chain and report the first
broken row (exit 1), or how many rows were checked (exit 0)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from governance.audit import chain
from governance.audit.context import audit_context


class Command(BaseCommand):
    help = "检查操作记录的哈希链：报告第一条被篡改、删除或插入的记录。"

    def handle(self, *args, **options) -> None:
        with audit_context(via="command", command="verify_audit_chain"):
            checked, broken = chain.verify()
        if broken is None:
            self.stdout.write(f"OK: {checked} audit rows, chain intact")
            return
        reason = {"prev": "does not link to the row before it (a row before it was changed, removed or inserted)",
                  "hash": "its content does not match its hash (the row was changed)"}[broken.reason]
        raise CommandError(f"BROKEN at audit row {broken.id}: {reason}; {checked} rows before it are intact")
