"""Rosters benchmark: residents .xlsx and .csv through the import pipeline.

    python bench/import_residents.py xlsx --rows 100000          # openpyxl read vs our import
    python bench/import_residents.py csv --rows 1000000          # the big CSV (run with DATABASE_URL=postgres://…)
    python bench/import_residents.py memory --rows 50000 100000 200000   # peak RSS of a dry run per size

It migrates the configured database, seeds the demo city (279 grids) if empty,
generates valid rows over the demo grids (unique, checksummed ID numbers,
phones, houses, a tag on one row in ten) into bench/out/, empties the residents
and houses, then times the import (dry run off: validated *and* written).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

HEADER = ["姓名", "公民身份号码", "联系电话", "民族", "政治面貌", "人口类型", "网格编码", "楼栋", "单元", "房号", "人员标签"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉梅红志文春燕海波鹏辉宇晨"
POLITICAL = ["群众"] * 7 + ["中共党员", "共青团员", "中共预备党员"]
RESIDENCY = ["户籍人口"] * 7 + ["流动人口", "流动人口", "境外人员"]
TAGS = ["低保户", "空巢老人", "残疾人", "重点青少年", "刑满释放人员"]
START = date(1940, 1, 1)
DAYS = 24000  # 1940 … 2005


def id_number(i: int) -> str:
    born = START + timedelta(days=i % DAYS)
    body = f"210802{born:%Y%m%d}{(i // DAYS) % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


HOUSEHOLD_SIZES = (3, 2, 4, 1, 3, 2, 3)  # 2.57 people a house (census 2020: 2.62 a household)
HOUSEHOLD_CYCLE = sum(HOUSEHOLD_SIZES)
HOUSEHOLD_OF = [j for j, size in enumerate(HOUSEHOLD_SIZES) for _ in range(size)]


def rows(n: int, grids: list[str]):
    """Residents listed household by household, as rosters are collected: the members of a
    household are consecutive rows and share a house (楼栋 + 单元 + 房号) in one grid."""
    g = len(grids)
    for i in range(n):
        h = (i // HOUSEHOLD_CYCLE) * len(HOUSEHOLD_SIZES) + HOUSEHOLD_OF[i % HOUSEHOLD_CYCLE]
        yield [
            SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + (GIVEN[i % 13] if i % 3 else ""),
            id_number(i),
            f"1{3 + i % 7}{i % 1000000000:09d}",
            "汉族" if i % 9 else "满族",
            POLITICAL[i % 10],
            RESIDENCY[(i // 3) % 10],
            grids[h % g],
            f"{1 + (h // g) % 40}号楼",
            f"{1 + (h // (g * 40)) % 6}单元",
            f"{1 + (h // (g * 240)) % 18}0{1 + (h // (g * 240 * 18)) % 4}",
            TAGS[i % 5] if i % 10 == 0 else "",
        ]


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from governance.models import Region
    from governance.roles import Level

    if not Region.objects.filter(level=Level.GRID).exists():
        # The territory and workers only: the demo registers and cases would hold
        # references that empty_registers() cannot simply delete.
        from governance.demo_city import seed_demo_city

        seed_demo_city()
    return sorted(Region.objects.filter(level=Level.GRID, code__startswith="210802").values_list("code", flat=True))


def empty_registers():
    from django.db import connection

    from parties.models import Building, House, Resident, ResidentTag

    models = (ResidentTag, Resident, House, Building)
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        return
    for model in models:
        model._base_manager.all()._raw_delete(model.objects.db)


def make_xlsx(n: int, grids: list[str]) -> Path:
    import openpyxl

    path = OUT / f"residents-v2-{n}.xlsx"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("实有人口")
    ws.append(HEADER)
    for row in rows(n, grids):
        ws.append(row)
    wb.save(path)
    return path


def make_csv(n: int, grids: list[str]) -> Path:
    path = OUT / f"residents-v2-{n}.csv"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows(n, grids))
    return path


CPU: dict[str, float] = {}  # this process's CPU seconds: steadier than wall time on a shared machine


def openpyxl_read(path: Path) -> tuple[float, int]:
    import openpyxl

    t, c = time.perf_counter(), time.process_time()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    CPU["read"] = time.process_time() - c
    return time.perf_counter() - t, count


def our_import(path: Path, dry_run: bool = False):
    from rosters.actions import run_import
    from rosters.engine import context_for
    from rosters.kinds import get_roster

    t, c = time.perf_counter(), time.process_time()
    result = run_import(get_roster("residents"), path, ctx=context_for(None, dry_run), filename=path.name)
    CPU["import"] = time.process_time() - c
    return time.perf_counter() - t, result


def engine_name() -> str:
    from django.db import connection

    return connection.vendor


def cmd_xlsx(args):
    grids = setup_django()
    path = make_xlsx(args.rows, grids)
    read_s, count = openpyxl_read(path)
    empty_registers()
    import_s, result = our_import(path)
    import_cpu = CPU["import"]
    again_s, again = our_import(path)
    print(f"{args.rows:,} rows .xlsx ({path.stat().st_size / 1e6:.1f} MB) on {engine_name()}")
    print(f"  openpyxl read-only, read only : {read_s:6.1f} s  {count / read_s:8,.0f} rows/s")
    print(f"  import (validated + written)  : {import_s:6.1f} s  {args.rows / import_s:8,.0f} rows/s "
          f"= {read_s / import_s:.2f} × the read rate   {result.counts}")
    print(f"  re-import (all unchanged)     : {again_s:6.1f} s  {args.rows / again_s:8,.0f} rows/s   {again.counts}")
    print(f"  CPU seconds of this process   : read {CPU['read']:.1f} s, import {import_cpu:.1f} s "
          f"= {CPU['read'] / import_cpu:.2f} × the read rate")


class PostgresCpu:
    """CPU seconds of this benchmark's PostgreSQL backends (Linux /proc), sampled twice a second.

    Only processes whose title names our database count — the machine may be running other
    databases' work — plus the WAL writer, checkpointer and background writer, which work for
    everyone but mostly for a bulk load. A backend that ends between samples loses its last
    half second."""

    SHARED = ("walwriter", "checkpointer", "background writer")

    def __init__(self, database: str):
        import threading

        self.database = database
        self.seen: dict[int, float] = {}
        self.start = self._sample()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> dict[int, float]:
        tick = os.sysconf("SC_CLK_TCK")
        found = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                if not title.startswith("postgres:") or not (
                    f" {self.database}" in title or any(name in title for name in self.SHARED)
                ):
                    continue
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(pid)] = (int(fields[11]) + int(fields[12])) / tick
        return found

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            self.seen.update(self._sample())

    def seconds(self) -> float:
        self.stop.set()
        self.thread.join()
        self.seen.update(self._sample())
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())


def cmd_csv(args):
    from django.conf import settings

    grids = setup_django()
    path = make_csv(args.rows, grids)
    empty_registers()
    from django.db import connection

    meter = PostgresCpu(connection.settings_dict["NAME"]) if engine_name() == "postgresql" else None
    import_s, result = our_import(path)
    database_cpu = meter.seconds() if meter else 0.0
    print(f"{args.rows:,} rows GBK .csv ({path.stat().st_size / 1e6:.1f} MB) on {engine_name()}, "
          f"{settings.ROSTER_IMPORT_WRITERS} writer(s)")
    print(f"  import (validated + written)  : {import_s:6.1f} s  {args.rows / import_s:8,.0f} rows/s   {result.counts}")
    print(f"  CPU seconds                   : this process {CPU['import']:.1f} s, PostgreSQL {database_cpu:.1f} s "
          f"(≈ {(CPU['import'] + database_cpu) / args.rows * 1e6:.0f} µs of CPU a row)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"  peak memory of this process   : {peak} MB; load average after the run {os.getloadavg()[0]:.2f}")


def cmd_memory(args):
    if args.child:
        grids = setup_django()
        path = make_xlsx(args.rows[0], grids)
        our_import(path, dry_run=True)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        return
    for n in args.rows:
        setup = subprocess.run([sys.executable, __file__, "memory", "--child", "--rows", str(n)],
                               capture_output=True, text=True, check=True)
        print(f"  {n:>9,} rows .xlsx dry run: peak RSS {setup.stdout.strip().splitlines()[-1]} MB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["xlsx", "csv", "memory"])
    parser.add_argument("--rows", type=int, nargs="+", default=[100000])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.what != "memory":
        args.rows = args.rows[0]
    {"xlsx": cmd_xlsx, "csv": cmd_csv, "memory": cmd_memory}[args.what](args)


if __name__ == "__main__":
    main()
