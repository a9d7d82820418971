from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("事件与矛盾纠纷")

    def ready(self) -> None:
        # Disputes extend the case loop: their rules (mediation deadline, what a failed
        # verification means, where 处置 is recorded) are registered with the loop's kernel.
        from disputes.actions.mediation import DISPUTE_RULES
        from disputes.kernel import register_kind

        register_kind(DISPUTE_RULES)
        # The cases a resident or unit is involved in, on their register pages (parties.panels).
        from disputes.panels import register_panels

        register_panels()
        # Filing, the open cases and the cases nearby on a grid worker's "my grid" (grids.sections).
        from disputes.my_grid import register_sections

        register_sections()
