"""python manage.py issue_api_token USERNAME [--name 用途] [--days N]: a new API token for a user,
printed on the last line (shown once: only its SHA-256 is stored). Issued by the system (no actor),
audited like an admin's issue."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.actions import do_issue_api_token, validation_message
from governance.models import User


class Command(BaseCommand):
    help = "签发一个 API 令牌并在最后一行打印（只显示这一次）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="用途，如“12345 热线”")
        parser.add_argument("--days", type=int, default=0, help="有效天数（0：不过期）")

    def handle(self, *args, username: str, name: str, days: int, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if days < 0:
            raise CommandError("--days 不能为负数。")
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            row, token = do_issue_api_token(actor=None, user=user, name=name, expires_at=expires)
        except ValidationError as e:
            raise CommandError(validation_message(e)) from None
        self.stderr.write(f"已为 {user.username} 签发令牌 ggt_{row.prefix}…（只显示这一次，请妥善保存）")
        self.stdout.write(token)
