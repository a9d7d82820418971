"""The raw bulk writer: COPY's text format must carry any text through unchanged."""

import pytest
from django.db import connection

from governance.models import Region
from governance.roles import Level
from parties.models import Building
from rosters.bulk import copy_text, ensure_rows, insert_rows

AWKWARD = ["plain", "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "", "尾\\"]


def test_copy_text_escapes_only_what_needs_it():
    text = copy_text([("a", None, 3), ("tab\there", "\\N", None)]).getvalue()
    assert text == "a\t\\N\t3\ntab\\there\t\\\\N\t\\N\n"


@pytest.mark.django_db
def test_awkward_text_goes_in_and_comes_back_unchanged():
    grid = Region.objects.create(code="210802001001001", name="第1网格", level=Level.GRID)
    insert_rows(Building, ["grid_id", "name", "address", "floors"],
                [(grid.code, f"{n}号楼", text, None) for n, text in enumerate(AWKWARD)])
    assert list(Building.objects.order_by("id").values_list("address", flat=True)) == AWKWARD
    assert Building.objects.filter(floors__isnull=True).count() == len(AWKWARD)


@pytest.mark.django_db
def test_ensure_rows_returns_existing_and_new_ids_and_writes_nothing_twice():
    grid = Region.objects.create(code="210802001001001", name="第1网格", level=Level.GRID)
    old = Building.objects.create(grid=grid, name="1号楼")
    rows = [(grid.code, "1号楼", "", None), (grid.code, "2号楼", "", None)]
    ids = ensure_rows(Building, ["grid_id", "name", "address", "floors"], rows, ["grid_id", "name"])
    assert ids[(grid.code, "1号楼")] == old.pk
    assert ids[(grid.code, "2号楼")] == Building.objects.get(name="2号楼").pk
    assert ensure_rows(Building, ["grid_id", "name", "address", "floors"], rows, ["grid_id", "name"]) == ids
    assert Building.objects.count() == 2
    assert connection.vendor in ("postgresql", "sqlite")
