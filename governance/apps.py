from django.apps import AppConfig
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


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("治理基础（区划、角色、审计）")

    def ready(self) -> None:
        post_migrate.connect(create_scope_permissions, sender=self)
