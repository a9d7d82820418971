from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("网格与网格员")

    def ready(self) -> None:
        from grids.my_grid import register_sections
        from grids.panels import register_panels  # models are loaded only now

        register_panels()
        register_sections()  # a grid worker's "my grid" (grids.sections)
