"""Build a city-sized register: N residents (default 1,000,000) across the demo territory.

    python bench/generate_registers.py [N]        # seeds the demo city first if needed

Every resident gets a real-checksum ID number (encrypted, with its blind index),
usually a phone, a house (about 2.5 residents a house, 24 houses a building) in
one of the demo city's 279 grids, and one in eight a tag. PostgreSQL: written
with COPY; other databases: bulk_create. Generated ID numbers start at index
10,000,000 so they never meet the demo seed's or the sample rosters'.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from governance.models import Region  # noqa: E402
from governance.roles import Level  # noqa: E402
from parties import pii  # noqa: E402
from parties.demo import (  # noqa: E402
    ETHNICITY_WEIGHTS,
    POLITICAL_WEIGHTS,
    RESIDENCY_WEIGHTS,
    USE_WEIGHTS,
    id_number_for,
    mobile_for,
    person_name,
    weighted,
)
from parties.models import Building, House, Resident, ResidentTag, TagKind  # noqa: E402

FIRST_INDEX = 10_000_000
RESIDENTS_PER_HOUSE = 2.5
HOUSES_PER_BUILDING = 24
CHUNK = 50_000


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", " ") for v in row))
        buf.write("\n")
    buf.seek(0)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def generate(n: int, seed: int = 20261123) -> dict[str, float]:
    rng = random.Random(seed)
    pg = connection.vendor == "postgresql"
    grids = list(Region.objects.filter(level=Level.GRID).values_list("code", flat=True).order_by("code"))
    if not grids:
        raise SystemExit("没有网格：先运行 manage.py seed_demo")
    start = time.monotonic()
    per_grid = n // len(grids)
    houses_per_grid = max(1, int(per_grid / RESIDENTS_PER_HOUSE))
    buildings_per_grid = max(1, -(-houses_per_grid // HOUSES_PER_BUILDING))
    # Buildings and houses (the 楼栋 names are prefixed so they never clash with the demo seed's).
    with transaction.atomic():
        Building.objects.bulk_create(
            [Building(grid_id=g, name=f"B{b + 1}号楼") for g in grids for b in range(buildings_per_grid)],
            batch_size=5000, ignore_conflicts=True,
        )
        building_ids = {}
        for bid, g, name in Building.objects.filter(name__startswith="B").values_list("id", "grid_id", "name"):
            building_ids[(g, name)] = bid
        house_rows = []
        for g in grids:
            for h in range(houses_per_grid):
                b, k = divmod(h, HOUSES_PER_BUILDING)
                unit, room = divmod(k, 12)
                floor, door = divmod(room, 2)
                house_rows.append((g, building_ids[(g, f"B{b + 1}号楼")], f"{unit + 1}单元", f"{floor + 1}0{door + 1}",
                                   weighted(rng, USE_WEIGHTS), "", "", timezone.now().isoformat()))
        cols = ["grid_id", "building_id", "unit_no", "room", "use", "owner_name", "note", "updated_at"]
        if pg:
            for i in range(0, len(house_rows), CHUNK):
                _copy("parties_house", cols, house_rows[i:i + CHUNK])
        else:
            House.objects.bulk_create([House(**dict(zip(cols, r))) for r in house_rows], batch_size=2000, ignore_conflicts=True)
    t_houses = time.monotonic() - start
    house_ids: dict[str, list[int]] = {}
    for hid, g in House.objects.filter(building__name__startswith="B").values_list("id", "grid_id").iterator(chunk_size=20000):
        house_ids.setdefault(g, []).append(hid)

    cols = ["grid_id", "house_id", "name", "id_number_encrypted", "id_number_hash", "gender", "birth_date",
            "phone_encrypted", "phone_hash", "ethnicity", "political_status", "residency_type", "relation_to_head",
            "note", "created_at", "updated_at"]
    now = timezone.now().isoformat()
    done = 0
    index = FIRST_INDEX + Resident.objects.count()
    tagged: list[int] = []
    while done < n:
        rows = []
        for _ in range(min(CHUNK, n - done)):
            g = grids[done % len(grids)]
            number = id_number_for(index)
            phone = mobile_for(index) if rng.random() < 0.9 else ""
            rows.append((
                g, rng.choice(house_ids[g]), person_name(rng), pii.encrypt(number), pii.blind_index(number),
                "M" if int(number[16]) % 2 else "F", f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                pii.encrypt(phone), pii.blind_index(phone), weighted(rng, ETHNICITY_WEIGHTS),
                weighted(rng, POLITICAL_WEIGHTS), weighted(rng, RESIDENCY_WEIGHTS), "", "", now, now,
            ))
            index += 1
            done += 1
        with transaction.atomic():
            if pg:
                _copy("parties_resident", cols, rows)
            else:
                Resident.objects.bulk_create([Resident(**dict(zip(cols, r))) for r in rows], batch_size=2000)
        print(f"  {done:,} / {n:,} 人  {time.monotonic() - start:.0f} s", flush=True)
    # One resident in eight gets a tag.
    last = Resident.objects.order_by("-id").values_list("id", flat=True).first()
    tagged = [last - i for i in range(0, n, 8)]
    tag_values = TagKind.values
    for i in range(0, len(tagged), CHUNK):
        ResidentTag.objects.bulk_create(
            [ResidentTag(resident_id=rid, tag=tag_values[rid % len(tag_values)], note="bench") for rid in tagged[i:i + CHUNK]],
            batch_size=5000,
        )
    if pg:
        with connection.cursor() as cur:
            cur.execute("ANALYZE parties_resident; ANALYZE parties_house; ANALYZE parties_building; ANALYZE parties_residenttag")
    total = time.monotonic() - start
    return {"residents": n, "houses": len(house_rows), "seconds_houses": t_houses, "seconds_total": total}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_RESIDENTS", "1000000"))
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    result = generate(n)
    print(f"生成完成：{result['residents']:,} 人，{result['houses']:,} 套房屋，用时 {result['seconds_total']:.0f} 秒 "
          f"（{connection.vendor}）")
