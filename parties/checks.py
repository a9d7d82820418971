"""System checks on the personal-data keys (`manage.py check`, runserver, migrate), and the refusal
to start without them (PartiesConfig.ready: gunicorn, celery and every command import it).

Outside development (settings.PII_DEV_KEYS_ALLOWED: DEBUG on and not production) GRIDGOV_PII_KEY and
GRIDGOV_PII_HASH_KEY must be set and usable: otherwise gridgov.E001 and no start — rather than a 500
at the first register page, or, worse, tokens written with keys derived from a SECRET_KEY that a
database dump's reader may know. In development the derived keys are allowed, and gridgov.W001 says
so every time the checks run."""

from __future__ import annotations

import os
import sys

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from parties import pii


def pii_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = [
        checks.Error(message, hint="见 README“Configuration”：GRIDGOV_PII_KEY 用 Fernet.generate_key() 生成；"
                     "GRIDGOV_PII_HASH_KEY 为至少 32 个字符的随机串，设置后不可更改。", id="gridgov.E001")
        for __, message in pii.key_problems()
    ]
    derived = pii.derived_keys_in_use()
    if derived and pii.dev_keys_allowed():
        messages.append(checks.Warning(
            f"{'、'.join(derived)} 未设置：个人信息密钥由 SECRET_KEY 推导，仅供开发使用——"
            "知道 SECRET_KEY（开发默认值是公开的）的人即可解密数据库中的身份证号和电话。",
            hint="生产环境（GRIDGOV_PRODUCTION=1）或关闭 DEBUG 时必须设置这两个密钥。", id="gridgov.W001"))
    if pii.weak_hash_key():
        messages.append(checks.Warning(
            f"GRIDGOV_PII_HASH_KEY 短于 {pii.MIN_HASH_KEY_LENGTH} 个字符：身份证号和电话的取值有限，短密钥可被穷举。",
            hint="换用更长的随机密钥须重新计算所有检索哈希并重新加密（密文绑定了哈希）。", id="gridgov.W002"))
    return messages


def _running_the_checks() -> bool:
    argv = sys.argv
    return len(argv) > 1 and os.path.basename(argv[0]) in ("manage.py", "django-admin") and argv[1] == "check"


def refuse_to_start_without_keys() -> None:
    """Raise ImproperlyConfigured when the keys are missing or unusable outside development."""
    problems = pii.key_problems()
    if problems and _running_the_checks():
        return  # `manage.py check [--deploy]` reports them as gridgov.E001 (pii_keys), not as a traceback
    if problems:
        raise ImproperlyConfigured("gridgov.E001 " + " ".join(message for __, message in problems)
                                   + "（见 README“Configuration”）")
