"""Spreadsheet import and export of the small configuration tables an admin keeps in Excel, on
django-import-export: its `import_data` gives the dry run, the new / updated / unchanged verdict
per row and the validation, which is exactly right for a few hundred rows. (The big registers
use the streaming pipeline in rosters/: row by row, import_data reads about a tenth as fast as
openpyxl alone, far too slow for a million residents.)

What is here, for every app's tables:

- `read_spreadsheet(content)`: an uploaded .xlsx or .csv (UTF-8, else GBK) as a tablib Dataset
  that remembers each row's spreadsheet row number; a broken file is a ValidationError;
- `TableResource`: a ModelResource with Chinese column headers, keyed on its `import_id_fields`
  so that re-importing an export changes nothing, whose row errors are Chinese sentences;
- the widgets those resources use (a code, a choice by label or value, a yes/no, a number);
- `import_counts` / `preview_rows`: what the preview page and the audit row show;
- `DepartmentResource`: the functional departments, the territorial table — only rows in the
  importer's CONFIGURE scope are ever read, matched or written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
import tablib
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet, TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result, RowResult

from governance.models import Department, DepartmentKind, Region, User
from governance.roles import CODE_LENGTH, Cap
from governance.scope import can, region_codes, scoped

MAX_UPLOAD_BYTES = 1 << 20
# A configuration table has tens to hundreds of rows; import_data checks and saves one row at a
# time, so a file far beyond that is a mistake (or a register in the wrong place), refused whole.
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


# ---------------------------------------------------------------- reading the file


class SheetDataset(tablib.Dataset):
    """A Dataset whose rows know the spreadsheet row they came from (blank rows are left out, so
    the dataset's own index is not the row number the admin sees in Excel)."""

    def __init__(self, *args, row_numbers: list[int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.row_numbers = row_numbers or []

    def row_number(self, index: int) -> int:
        """The spreadsheet row of the dataset's row `index` (0-based); the header is row 1."""
        return self.row_numbers[index] if index < len(self.row_numbers) else index + 2


def _xlsx_rows(content: bytes) -> Iterator[tuple]:
    # openpyxl raises a dozen kinds of error on a damaged or foreign zip (BadZipFile, KeyError,
    # XML parse errors, ValueError…), while opening or while reading a row; to the admin they all
    # mean the same thing.
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ValidationError(_("文件不是有效的 Excel (.xlsx) 文件，请重新保存后上传。")) from None
    try:
        yield from book.active.iter_rows(values_only=True)
    except Exception:
        raise ValidationError(_("读取 Excel 文件时出错，文件可能已损坏。")) from None
    finally:
        book.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    if b"\x00" in content:  # a text file never holds a NUL byte: this is some binary file
        raise ValidationError(_("文件不是有效的 .xlsx 或 .csv 文件。"))
    # UTF-8 (with or without the BOM Excel writes), else GBK — what Excel on a Chinese Windows
    # saves — read as its superset GB18030, as the roster reader does.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("无法识别 CSV 文件的编码：请保存为 UTF-8 或 GBK 编码。"))
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise ValidationError(_("CSV 文件格式有误，无法读取。")) from None


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\u3000", " ").strip()  # a full-width space typed with a Chinese IME
    return value


def read_spreadsheet(content: bytes) -> SheetDataset:
    """An uploaded configuration table: .xlsx or .csv, told apart by content (not by the name,
    which a browser or a user may get wrong). The first row holds the column names; blank rows
    are skipped. A file that cannot be read is refused whole, with a Chinese message."""
    if not content:
        raise ValidationError(_("文件是空的。"))
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件不能超过 1 MB。"))
    if content.startswith(OLE_MAGIC):
        raise ValidationError(_("不支持旧版 Excel (.xls) 文件，请另存为 .xlsx 或 .csv 后上传。"))
    rows = _xlsx_rows(content) if content.startswith(XLSX_MAGIC) else _csv_rows(content)
    first = next(rows, None)
    if first is None:
        raise ValidationError(_("文件是空的。"))
    headers = [str(_cell(h)) for h in first]
    keep = [i for i, h in enumerate(headers) if h]  # a column without a name holds nothing we read
    if not keep:
        raise ValidationError(_("第一行须为列名。"))
    names = [headers[i] for i in keep]
    repeated = sorted({h for h in names if names.count(h) > 1})
    if repeated:
        raise ValidationError(_("列名重复：%(columns)s。") % {"columns": "、".join(repeated)})
    dataset = SheetDataset(headers=names)
    for number, row in enumerate(rows, start=2):
        cells = [_cell(row[i]) if i < len(row) else "" for i in keep]
        if all(c == "" for c in cells):
            continue
        if len(dataset) == MAX_ROWS:
            raise ValidationError(_("配置表最多 %(n)s 行，请分成几个文件导入。") % {"n": MAX_ROWS})
        dataset.append(cells)
        dataset.row_numbers.append(number)
    return dataset


# ---------------------------------------------------------------- reading a cell


def whole_number(value: Any) -> int | None:
    """A whole number from a form field or a cell ("6", 6, 6.0); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value if value is not None else "").strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _refusal(error: ValidationError) -> ValueError:
    # import_export turns a widget's ValueError into that column's error on the row.
    return ValueError("；".join(error.messages))


class CheckedWidget(widgets.Widget):
    """A cell cleaned by one of the apps' own checks (the same the do_* actions run)."""

    def __init__(self, check: Callable[[Any], Any], render: Callable[[Any], Any] | None = None) -> None:
        super().__init__(coerce_to_string=False)
        self.check = check
        self.render_value = render

    def clean(self, value, row=None, **kwargs):
        try:
            return self.check(value)
        except ValidationError as e:
            raise _refusal(e) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.render_value(value) if self.render_value else value


def source_label(label: Any) -> str:
    """A choice's label as written in the source (Chinese), whatever language is active: the
    file is a format shared by everyone, not a page."""
    with translation.override(None):
        return str(label)


class ChoiceWidget(widgets.Widget):
    """A choice written as its Chinese label (派出所), its label in the user's language, or its
    stored value (police); exported as the Chinese label, which is what an admin reads and types."""

    def __init__(self, choices: type[TextChoices], refusal: Callable[[], str],
                 check: Callable[[str], str] | None = None) -> None:
        super().__init__(coerce_to_string=False)
        self.choices = choices
        self.refusal = refusal
        self.check = check

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        known = {v: v for v in self.choices.values}
        for v, label in self.choices.choices:
            known.setdefault(str(label), v)
            known.setdefault(source_label(label), v)
        chosen = known.get(text)
        if chosen is None:
            raise ValueError(self.refusal())
        if self.check is not None:
            try:
                chosen = self.check(chosen)
            except ValidationError as e:
                raise _refusal(e) from None
        return chosen

    def render(self, value, obj=None, **kwargs):
        return source_label(self.choices(value).label) if value in self.choices.values else (value or "")


# Yes and no in a file: the format's words, the same in every language (like the column headers).
YES, NO = "是", "否"


class FlagWidget(widgets.Widget):
    """是 / 否 (also 1 / 0, true / false, an Excel TRUE). Blank keeps what the row has (a new row:
    the model's default), so a column left empty never switches anything off by accident."""

    def __init__(self, what: Callable[[], str]) -> None:
        super().__init__(coerce_to_string=False)
        self.what = what

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text == "":
            return None
        if text in {YES, "1", "true", "y", "yes", "启用"}:
            return True
        if text in {NO, "0", "false", "n", "no", "停用"}:
            return False
        raise ValueError(_("%(what)s须填“是”或“否”。") % {"what": self.what()})

    def render(self, value, obj=None, **kwargs):
        return YES if value else NO


class NumberWidget(widgets.Widget):
    """A whole number in [low, high]; blank keeps what the row has (a new row: the default)."""

    def __init__(self, low: int, high: int, refusal: Callable[[], str]) -> None:
        super().__init__(coerce_to_string=False)
        self.low, self.high, self.refusal = low, high, refusal

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        number = whole_number(value)
        if number is None or not self.low <= number <= self.high:
            raise ValueError(self.refusal())
        return number

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""


class CodeWidget(widgets.ForeignKeyWidget):
    """A related row named by its code. An unknown code is a Chinese row error (the stock widget
    lets DoesNotExist through, which import_export reports as a crash of the row)."""

    def __init__(self, model: type[Model], missing: Callable[[str], str], field: str = "code",
                 required: Callable[[], str] | None = None) -> None:
        super().__init__(model, field=field)
        self.missing = missing
        self.required = required

    def clean(self, value, row=None, **kwargs):
        number = whole_number(value)
        code = str(number) if number is not None and not isinstance(value, str) else str(value or "").strip()
        if not code:
            if self.required is not None:
                raise ValueError(self.required())
            return None
        try:
            return super().clean(code, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(self.missing(code)) from None


class KeyLoader(ModelInstanceLoader):
    """Finds the existing row by the resource's key. A key cell that does not read (an unknown
    code, a bad date) means "no existing row": the row is then checked column by column, and the
    same cell comes back as that column's Chinese error instead of a crash of the row."""

    def get_instance(self, row):
        try:
            return super().get_instance(row)
        except ValueError:
            return None


# ---------------------------------------------------------------- the resources


class TableResource(resources.ModelResource):
    """A configuration table. Subclasses declare their fields with Chinese column names, list them
    in Meta.fields (the column order) and key the table with Meta.import_id_fields; `check_row`
    adds the checks that span several columns. `user` is whoever imports or exports (None: the
    system); a resource of a territorial table narrows `get_queryset` to the user's scope."""

    # Columns a file may leave out (each keeps what the row has); every other column is required.
    optional_columns: tuple[str, ...] = ()

    class Meta:
        # Inherited by every subclass's Meta (import_export merges the parents' options).
        instance_loader_class = KeyLoader
        skip_unchanged = True  # an unchanged row is "unchanged", not an update that writes the same
        report_skipped = True  # ... and still listed in the preview
        store_row_values = True  # the preview shows each row as the file has it
        skip_html_diff = True  # the preview shows values, not the HTML diff of the admin
        use_transactions = True  # the dry run writes in a savepoint and rolls it back

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user
        self._seen: dict[tuple, int] = {}
        self._dataset: tablib.Dataset | None = None

    # -- the file as a whole

    def required_columns(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields() if f.column_name not in self.optional_columns]

    def check_headers(self, dataset: tablib.Dataset) -> None:
        """Refuse a file without the table's columns before any row is read (import_export would
        report the missing key column in English, and every other missing column not at all)."""
        missing = [c for c in self.required_columns() if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(
                _("文件缺少列：%(missing)s。第一行须为列名：%(columns)s。")
                % {"missing": "、".join(missing), "columns": "、".join(self.get_export_headers())}
            )

    def before_import(self, dataset, **kwargs) -> None:
        self._seen = {}
        self._dataset = dataset

    def row_number(self, index: int) -> int:
        """The spreadsheet row of the 1-based dataset row `index` that import_export counts."""
        if isinstance(self._dataset, SheetDataset):
            return self._dataset.row_number(index - 1)
        return index + 1

    # -- one row

    def before_import_row(self, row, **kwargs) -> None:
        """The same key twice in one file is a mistake: the later row would silently win."""
        try:
            key = tuple(self.fields[name].clean(row) for name in self.get_import_id_fields())
        except ValueError:
            return  # the key does not read: the row's own checks say why
        number = self.row_number(kwargs.get("row_number", 0))
        if key in self._seen:
            raise ValidationError(_("与第 %(row)s 行重复。") % {"row": self._seen[key]}, code="duplicate")
        self._seen[key] = number

    def check_row(self, instance: Model, errors: dict[str, ValidationError]) -> None:
        """Checks spanning several columns; add to `errors` (field name → error). Columns that
        already failed are in `errors` too, so a check can stay quiet about them."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True) -> None:
        errors = dict(import_validation_errors or {})
        self.check_row(instance, errors)
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------- the results


IMPORT_TYPE_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("新增"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("更新"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("无变化"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("有误"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("有误"),
}


def import_counts(result: Result) -> dict[str, int]:
    totals = result.totals
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        "invalid": totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR]
        + len(result.base_errors),
    }


def row_errors(row: RowResult) -> list[str]:
    """The Chinese reasons a row was refused."""
    if row.validation_error is not None:
        error = row.validation_error
        if hasattr(error, "error_dict"):
            return [m for messages in error.message_dict.values() for m in messages]
        return list(error.messages)
    if row.errors:
        # Not a check of ours but a failure while writing (a database constraint, say): the
        # exception's text is for the log, not for the admin.
        return [_("该行无法写入，请检查内容后重试。")]
    return []


@dataclass
class PreviewRow:
    number: int
    import_type: str
    label: str
    values: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return self.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR)


def _shown(value: Any) -> str:
    if isinstance(value, datetime) and not value.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def preview_rows(resource: TableResource, result: Result, dataset: tablib.Dataset) -> list[PreviewRow]:
    """Every row of the file with its verdict, values in the table's column order, and reasons."""
    columns = resource.get_export_headers()
    numbers = dataset if isinstance(dataset, SheetDataset) else SheetDataset()
    rows = []
    for index, row in enumerate(result.rows):
        values = row.row_values or {}
        rows.append(PreviewRow(
            number=numbers.row_number(index),
            import_type=row.import_type,
            label=str(IMPORT_TYPE_LABELS.get(row.import_type, row.import_type)),
            values=[_shown(values.get(c, "")) for c in columns],
            errors=row_errors(row),
        ))
    return rows


def base_error_messages(result: Result) -> list[str]:
    return [_("文件无法导入，请检查列名和内容后重试。")] if result.base_errors else []


# ---------------------------------------------------------------- departments


def may_configure_somewhere(user: User | None) -> bool:
    """Departments are territorial: CONFIGURE anywhere lets a user keep those in that territory."""
    if user is None:
        return True
    return bool(region_codes(user, Cap.CONFIGURE))


def department_refusal() -> str:
    return _("您没有配置职能部门的权限。")


class ScopedRegionWidget(CodeWidget):
    """A region code that must lie in the importer's CONFIGURE scope: a row elsewhere is refused,
    never matched against or written over a department of another territory."""

    def __init__(self, user: User | None) -> None:
        super().__init__(
            Region,
            missing=lambda code: _("服务区域编码“%(code)s”不存在。") % {"code": code},
            required=lambda: _("请填写服务区域编码。"),
        )
        self.user = user

    def clean(self, value, row=None, **kwargs):
        region = super().clean(value, row=row, **kwargs)
        if self.user is not None and not can(self.user, Cap.CONFIGURE, region.code):
            raise ValueError(_("服务区域“%(code)s”不在您的管辖范围内。") % {"code": region.code})
        return region


def _department_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name or len(name) > Department._meta.get_field("name").max_length:
        raise ValidationError(_("请填写部门名称（不超过 64 字）。"))
    return name


def _department_kind_refusal() -> str:
    return _("部门类别须为：%(kinds)s。") % {"kinds": "、".join(str(label) for _v, label in DepartmentKind.choices)}


class DepartmentResource(TableResource):
    name = fields.Field(attribute="name", column_name="名称", widget=CheckedWidget(_department_name))
    kind = fields.Field(attribute="kind", column_name="类别",
                        widget=ChoiceWidget(DepartmentKind, _department_kind_refusal))
    region = fields.Field(attribute="region", column_name="服务区域编码", widget=ScopedRegionWidget(None))

    class Meta:
        model = Department
        fields = ("name", "kind", "region")
        import_id_fields = ("region", "name")

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(user=user, **kwargs)
        self.fields["region"].widget = ScopedRegionWidget(user)

    def get_queryset(self) -> QuerySet:
        """Export and matching both start from the scope: a department elsewhere is never seen."""
        qs = Department.objects.select_related("region").order_by("region_id", "kind", "name")
        return qs if self.user is None else scoped(qs, self.user, Cap.CONFIGURE)


def common_region(codes: Iterable[str]) -> str:
    """The deepest territory node above all of `codes` (the audit row's region), or ""."""
    codes = list(codes)
    if not codes:
        return ""
    prefix = codes[0]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    fitting = [n for n in sorted(CODE_LENGTH.values()) if n <= len(prefix)]
    return prefix[:fitting[-1]] if fitting else ""
