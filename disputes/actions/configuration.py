"""Writes on the loop's configuration: the case taxonomy, time limits per stage and the working
calendar — one value at a time from the page, or a whole table from a spreadsheet (the tables of
disputes.configuration_tables, departments included). The taxonomy and calendar are city-wide, so
only a city admin (CONFIGURE on a top node) changes them; departments follow the scope. What a
valid value is lives in disputes.configuration_rules, shared by both doors."""

from __future__ import annotations

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from disputes.configuration_rules import (
    check_category_parent,
    clean_calendar_kind,
    clean_calendar_note,
    clean_category_code,
    clean_category_name,
    clean_stage,
    clean_time_amount,
    clean_time_unit,
    configure_refusal,
    may_configure,
)
from disputes.configuration_tables import ConfigurationTable, configuration_table
from disputes.models import CalendarDay, Category, TimeLimit
from governance.actions import record_audit
from governance.models import Department, User
from governance.resources import common_region, import_counts, source_label
from governance.roles import Cap
from governance.scope import region_codes


def _require_configure(actor: User | None) -> None:
    if not may_configure(actor):
        raise PermissionDenied(configure_refusal())


@transaction.atomic
def do_create_category(*, actor: User | None, code: str, name: str, parent: Category | None = None) -> Category:
    _require_configure(actor)
    code, name = clean_category_code(code), clean_category_name(name)
    category = Category(code=code, name=name, parent=parent, sort=999)
    check_category_parent(category, parent)
    if Category.objects.filter(code=code).exists():
        raise ValidationError(_("类别编码“%(code)s”已存在。") % {"code": code})
    category.save(force_insert=True)
    record_audit(actor=actor, action="case_category.create", target=category, detail={"code": code, "name": name})
    return category


@transaction.atomic
def do_set_category_active(*, actor: User | None, category: Category, active: bool) -> Category:
    _require_configure(actor)
    category.is_active = active
    category.save(update_fields=["is_active"])
    record_audit(actor=actor, action="case_category.active", target=category, detail={"active": active})
    return category


@transaction.atomic
def do_set_time_limit(*, actor: User | None, category: Category, stage: str, amount, unit: str) -> TimeLimit:
    _require_configure(actor)
    stage, unit = clean_stage(stage), clean_time_unit(unit)
    amount = clean_time_amount(amount, unit)
    limit, _created = TimeLimit.objects.update_or_create(
        category=category, stage=stage, defaults={"amount": amount, "unit": unit}
    )
    record_audit(actor=actor, action="case_time_limit.set", target=category,
                 detail={"stage": stage, "amount": amount, "unit": unit})
    return limit


@transaction.atomic
def do_set_calendar_day(*, actor: User | None, day, kind: str, note: str = ""):
    """Mark a date as a holiday or a make-up workday (调休); replaces what the date had."""
    _require_configure(actor)
    kind = clean_calendar_kind(kind)
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "note": clean_calendar_note(note)}
    )
    record_audit(actor=actor, action="case_calendar.set", target=entry, detail={"date": str(day), "kind": kind})
    return entry


@transaction.atomic
def do_remove_calendar_day(*, actor: User | None, entry) -> None:
    _require_configure(actor)
    record_audit(actor=actor, action="case_calendar.remove", target=entry,
                 detail={"date": str(entry.date), "kind": entry.kind})
    entry.delete()


# ---------------------------------------------------------------- whole tables, from and to Excel


class ImportRefused(ValidationError):
    """Some rows of the file are invalid, so nothing was written (all or nothing); `result` has
    every row with its verdict, for the page to show why."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message, code="invalid_rows")
        self.result = result


def _table(slug: str) -> ConfigurationTable:
    table = configuration_table(slug)
    if table is None:
        raise ValidationError(_("没有这张配置表。"))
    return table


def preview_configuration_import(*, actor: User, table: str, dataset: tablib.Dataset) -> Result:
    """The dry run: every row checked and written inside a savepoint that is rolled back, so the
    verdicts (new / updated / unchanged / invalid) are exactly what the import would do. Writes
    nothing, hence no audit row and no do_ prefix; the same capability check as the import."""
    entry = _table(table)
    entry.require(actor)
    resource = entry.resource_for(actor)
    resource.check_headers(dataset)
    return resource.import_data(dataset, dry_run=True, raise_errors=False)


@transaction.atomic
def do_import_configuration(*, actor: User, table: str, dataset: tablib.Dataset) -> Result:
    """Import a whole table for real, in this one transaction: if any row is invalid (the data
    may have changed since the preview) nothing is written and ImportRefused says how many."""
    entry = _table(table)
    entry.require(actor)
    resource = entry.resource_for(actor)
    resource.check_headers(dataset)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True,
                                  rollback_on_validation_errors=True)
    counts = import_counts(result)
    if counts["invalid"]:
        # Raising rolls back this transaction, and with it any row import_data wrote.
        raise ImportRefused(
            _("有 %(n)s 行有误，没有导入任何一行：请改正后重新上传。") % {"n": counts["invalid"]}, result
        )
    region_code = ""
    if entry.territorial:
        written = [r.object_id for r in result.rows
                   if r.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)]
        region_code = common_region(Department.objects.filter(pk__in=written).values_list("region_id", flat=True))
    del counts["invalid"]
    record_audit(actor=actor, action=f"config.import.{entry.slug}", target=actor, region_code=region_code,
                 detail={**counts, "rows": len(dataset)})
    return result


@transaction.atomic
def do_export_configuration(*, actor: User, table: str) -> bytes:
    """A whole table (for departments: those in the actor's scope) as an .xlsx in the import
    layout, so that the file comes back unchanged; audited like every export."""
    entry = _table(table)
    entry.require(actor)
    dataset = entry.resource_for(actor).export()
    dataset.title = source_label(entry.title)
    # escape: a cell starting with "=" is written as text, never as a formula Excel would run.
    content = dataset.export("xlsx", escape=True)
    region_code = common_region(region_codes(actor, Cap.CONFIGURE)) if entry.territorial else ""
    record_audit(actor=actor, action=f"config.export.{entry.slug}", target=actor, region_code=region_code,
                 detail={"rows": len(dataset)})
    return content
