from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("事件与矛盾纠纷")

    def ready(self) -> None:
        # The cases a resident or unit is involved in, on their register pages (parties.panels).
        from disputes.panels import register_panels

        register_panels()
