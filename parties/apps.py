from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("实有人口、房屋、单位与党组织")

    def ready(self) -> None:
        from parties.checks import pii_keys, refuse_to_start_without_keys

        checks.register(pii_keys, checks.Tags.security)
        refuse_to_start_without_keys()  # the web app, the workers and every command: before any request
