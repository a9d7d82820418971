from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_scope_permissions(sender, using="default", **kwargs) -> None:
    """One permission per capability on Region, for django-guardian grants on territory nodes."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from governance.models import Region
    from governance.roles import Cap

    ct = ContentType.objects.db_manager(using).get_for_model(Region)
    for cap in Cap.ALL:
        Permission.objects.db_manager(using).get_or_create(
            content_type=ct, codename=f"scope_{cap}", defaults={"name": f"辖区授权：{cap}"}
        )


def production_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production a SECRET_KEY shorter than 50 characters or of fewer than 5 different characters is
    refused (Django's own check only warns, and only with --deploy): it signs the sessions."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    key = settings.SECRET_KEY or ""
    if len(key) >= settings.SECRET_KEY_MIN_LENGTH and len(set(key)) >= settings.SECRET_KEY_MIN_UNIQUE:
        return []
    return [checks.Error(
        f"生产环境的 SECRET_KEY 太弱：须至少 {settings.SECRET_KEY_MIN_LENGTH} 个字符、"
        f"其中至少 {settings.SECRET_KEY_MIN_UNIQUE} 个不同字符（现为 {len(key)} 个字符、{len(set(key))} 个不同字符）。",
        hint="用 python -c \"from django.core.management.utils import get_random_secret_key as k; print(k())\" 生成。",
        id="gridgov.E010",
    )]


def production_hsts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "PRODUCTION", False) and not getattr(settings, "SECURE_HSTS_SECONDS", 0):
        return [checks.Warning("生产环境未启用 HSTS（SECURE_HSTS_SECONDS=0）。", hint="默认 31536000（一年）。",
                               id="gridgov.W010")]
    return []


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("治理基础（区划、角色、审计）")

    def ready(self) -> None:
        post_migrate.connect(create_scope_permissions, sender=self)
        checks.register(production_secret_key, checks.Tags.security)
        checks.register(production_hsts, checks.Tags.security)
        from governance import identity  # noqa: F401  (the audit of signing in and out: signal receivers)
