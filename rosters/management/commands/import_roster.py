"""python manage.py import_roster KIND FILE [--dry-run] [--errors OUT.xlsx] [--user USERNAME]"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.models import Region, User
from rosters.models import ImportJob, RosterKind
from rosters.selectors import import_region_code
from rosters.tasks import execute_job


class Command(BaseCommand):
    help = "导入名册（区划网格、网格员、实有人口、房屋、单位）。先用 --dry-run 预检。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(RosterKind.values), help="名册类型")
        parser.add_argument("file", help=".xlsx 或 .csv 文件（UTF-8 或 GBK）")
        parser.add_argument("--dry-run", action="store_true", help="只预检，不写入")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="把错误行连同错误原因写入这个 .xlsx 文件")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：系统，不限范围）")

    def handle(self, *args: object, kind: str, file: str, dry_run: bool, errors: str | None, user: str | None,
               **options: object) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户不存在：{user}")
        region_code = import_region_code(actor) if actor else import_region_code_for_system()
        region = Region.objects.filter(code=region_code).first() if region_code else None
        job = ImportJob.objects.create(
            kind=kind, created_by=actor, region=region, source="cli", original_name=path.name[:200],
            phase=ImportJob.Phase.CHECK if dry_run else ImportJob.Phase.WRITE,
        )
        result = execute_job(job, path, dry_run=dry_run, error_path=Path(errors) if errors else None)
        job.refresh_from_db()
        if result is None:
            raise CommandError(job.message)
        c = result.counts
        phase = "预检" if dry_run else "导入"
        self.stdout.write(f"{phase}：新增 {c['new']}，更新 {c['updated']}，未变 {c['unchanged']}，错误 {c['bad']}")
        for bad in result.bad_rows:
            self.stdout.write(f"  第 {bad['row']} 行 [{bad['code']}] {bad['reason']}")
        if c["bad"] > len(result.bad_rows):
            self.stdout.write(f"  ……另有 {c['bad'] - len(result.bad_rows)} 行错误，见错误文件")
        if errors and result.error_file:
            self.stdout.write(f"错误行已写入 {errors}")
        if dry_run and c["bad"]:
            raise SystemExit(1)


def import_region_code_for_system() -> str | None:
    """The system imports at the top of the tree (the history shows it to those who import there)."""
    return Region.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
