"""The configuration tables an admin keeps in Excel, by the slug of their URLs
(/cases/config/<slug>/export.xlsx, /cases/config/<slug>/import/): title, resource and who may.

The case taxonomy, time limits, dispute types and the working calendar are city-wide (a city
admin); departments are territorial (CONFIGURE anywhere, and then only rows in that scope — the
resource itself narrows what it reads and refuses rows outside). The registry lives in disputes
because governance, below every other app, must not know about the loop's tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from disputes.configuration_rules import configure_refusal, may_configure
from disputes.resources import CalendarDayResource, CategoryResource, DisputeTypeResource, TimeLimitResource
from governance.models import User
from governance.resources import DepartmentResource, TableResource, department_refusal, may_configure_somewhere


@dataclass(frozen=True)
class ConfigurationTable:
    slug: str
    title: Promise
    resource: type[TableResource]
    may: Callable[[User | None], bool]
    refusal: Callable[[], str]
    # Territorial: what a user reads and writes is narrowed to their scope (the audit row says where).
    territorial: bool = False

    def require(self, actor: User | None) -> None:
        if not self.may(actor):
            raise PermissionDenied(self.refusal())

    def resource_for(self, actor: User | None) -> TableResource:
        return self.resource(user=actor)


TABLES: dict[str, ConfigurationTable] = {
    table.slug: table
    for table in (
        ConfigurationTable("categories", _("事件类别"), CategoryResource, may_configure, configure_refusal),
        ConfigurationTable("time-limits", _("办理时限"), TimeLimitResource, may_configure, configure_refusal),
        ConfigurationTable("dispute-types", _("纠纷类型"), DisputeTypeResource, may_configure, configure_refusal),
        ConfigurationTable("calendar", _("工作日历"), CalendarDayResource, may_configure, configure_refusal),
        ConfigurationTable("departments", _("职能部门"), DepartmentResource, may_configure_somewhere,
                           department_refusal, territorial=True),
    )
}


def configuration_table(slug: str) -> ConfigurationTable | None:
    return TABLES.get(slug)


def tables_for(user: User) -> list[ConfigurationTable]:
    """The tables `user` may export and import, in the page's order."""
    return [table for table in TABLES.values() if table.may(user)]
