"""On PostgreSQL, outside a transaction, batches are compared and written by several threads at once.

The result must be the one a single writer gives: the same counts, every row once, rows of
one household in one house even when the household straddles two batches, duplicates caught
across batches, and a failure in one batch leaving the others whole."""

import csv
from datetime import date, timedelta

import pytest
from django.db import connection

from governance.models import Region
from governance.roles import Level
from parties import pii
from parties.models import House, Resident, ResidentTag
from rosters import engine
from rosters.actions import run_import
from rosters.engine import context_for
from rosters.kinds import get_roster
from rosters.kinds.residents import ResidentRoster

pytestmark = [
    pytest.mark.django_db(transaction=True),
]
HEADER = ["姓名", "公民身份号码", "联系电话", "网格编码", "楼栋", "单元", "房号", "人员标签"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(i: int) -> str:
    body = f"210802{date(1950, 1, 1) + timedelta(days=i):%Y%m%d}{i % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


@pytest.fixture
def grids(db):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers run on PostgreSQL only")
    city = Region.objects.create(code="2108", name="营口市", level=Level.CITY)
    district = Region.objects.create(code="210802", name="站前区", level=Level.DISTRICT, parent=city)
    street = Region.objects.create(code="210802001", name="八田地街道", level=Level.STREET, parent=district)
    community = Region.objects.create(code="210802001001", name="五大门社区", level=Level.COMMUNITY, parent=street)
    return [Region.objects.create(code=f"210802001001{n:03d}", name=f"第{n}网格", level=Level.GRID,
                                  parent=community, grid_type="comprehensive").code for n in (1, 2, 3)]


@pytest.fixture
def small_batches(monkeypatch, settings):
    monkeypatch.setattr(ResidentRoster, "batch_size", 50)
    settings.ROSTER_IMPORT_WRITERS = 3
    used = []
    original = engine.in_threads

    def spy(fn, items, workers):
        used.append(workers)
        return original(fn, items, workers)

    monkeypatch.setattr(engine, "in_threads", spy)
    return used


def write_file(path, grids, n=1000, extra=()):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(n):
            house = i // 3  # three people a house: households straddle the 50-row batches
            out.writerow([f"居民{i}", id_number(i), f"138{i:08d}", grids[house % 3], f"{house % 7 + 1}号楼",
                          "1单元", f"{house}", "低保户" if i % 10 == 0 else ""])
        for row in extra:
            out.writerow(row)
    return path


def test_several_writers_write_every_row_once_and_households_share_a_house(grids, small_batches, tmp_path):
    path = write_file(tmp_path / "r.csv", grids)
    result = run_import(get_roster("residents"), path, ctx=context_for(None, dry_run=False), filename="r.csv")
    assert small_batches == [3]
    assert result.counts == {"new": 1000, "updated": 0, "unchanged": 0, "bad": 0}
    assert Resident.objects.count() == 1000
    assert House.objects.count() == 334
    assert ResidentTag.objects.count() == 100
    resident = Resident.objects.get(id_number_hash=pii.blind_index(id_number(299)))
    assert resident.id_number == id_number(299) and resident.phone == "13800000299"
    assert set(Resident.objects.filter(house=resident.house).values_list("name", flat=True)) == {
        "居民297", "居民298", "居民299"}

    again = run_import(get_roster("residents"), path, ctx=context_for(None, dry_run=False), filename="r.csv")
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 1000, "bad": 0}
    assert Resident.objects.count() == 1000 and House.objects.count() == 334


def test_a_duplicate_in_a_later_batch_is_reported_against_its_first_row(grids, small_batches, tmp_path):
    path = write_file(tmp_path / "d.csv", grids, n=200, extra=[["重复", id_number(7), "", grids[0], "", "", "", ""]])
    result = run_import(get_roster("residents"), path, ctx=context_for(None, dry_run=False), filename="d.csv")
    assert result.counts["new"] == 200 and result.counts["bad"] == 1
    assert result.bad_rows[0]["row"] == 202 and "第 9 行" in result.bad_rows[0]["reason"]


def test_a_failing_batch_stops_the_import_and_leaves_written_batches_whole(grids, small_batches, tmp_path,
                                                                           monkeypatch):
    path = write_file(tmp_path / "f.csv", grids, n=1000)
    original = ResidentRoster.write

    def fail_on_row_500(self, rows, ctx):
        if any(r.number == 500 for r in rows):
            raise RuntimeError("disk full")
        return original(self, rows, ctx)

    monkeypatch.setattr(ResidentRoster, "write", fail_on_row_500)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(get_roster("residents"), path, ctx=context_for(None, dry_run=False), filename="f.csv")
    written = Resident.objects.count()
    assert written % 50 == 0 and written < 1000  # whole batches only
    assert not Resident.objects.filter(id_number_hash=pii.blind_index(id_number(498))).exists()
