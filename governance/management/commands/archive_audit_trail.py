"""python manage.py archive_audit_trail: what the daily beat job does (governance.audit.retention)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from governance.audit.context import audit_context
from governance.audit.retention import archive_expired, retention_days


class Command(BaseCommand):
    help = "归档超过保存期限（至少 180 天）的操作记录：导出压缩文件（含链头摘要）后删除，并记录本次归档。"

    def handle(self, *args, **options) -> None:
        with audit_context(via="command", command="archive_audit_trail"):
            result = archive_expired()
        if result.rows:
            self.stdout.write(f"archived {result.rows} rows older than {retention_days()} days to {result.archive.file_name}")
        else:
            self.stdout.write(f"nothing older than {retention_days()} days")
