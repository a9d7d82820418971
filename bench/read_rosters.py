"""Roster readers side by side: rosters.xlsxstream (ours) against python-calamine, reading every row
of a residents .xlsx (the rows of bench/import_residents.py), each in its own process: wall time and
peak RSS (the child's ru_maxrss), and tracemalloc's peak (Python objects only: calamine's Rust memory
is not seen by it, RSS is).

    python bench/read_rosters.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

GRIDS = [f"210802{s:03d}{c:03d}{g:03d}" for s in range(1, 9) for c in range(1, 6) for g in range(1, 8)]


def make_xlsx(n: int) -> Path:
    import openpyxl

    from bench.import_residents import HEADER, rows

    path = OUT / f"read-{n}.xlsx"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("实有人口")
    ws.append(HEADER)
    for row in rows(n, GRIDS):
        ws.append(row)
    wb.save(path)
    return path


def read_ours(path: Path) -> int:
    from rosters.xlsxstream import XlsxStream

    stream = XlsxStream(path)
    n = 0
    for _number, _values in stream.rows():
        n += 1
    stream.close()
    return n


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)  # calamine reads the whole sheet into its range here
    n = 0
    for _values in sheet.iter_rows():
        n += 1
    workbook.close()
    return n


def child(reader: str, path: Path, traced: bool) -> None:
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    n = {"ours": read_ours, "calamine": read_calamine}[reader](path)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] // (1 << 20) if traced else -1
    print(n, f"{seconds:.2f}", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100000])
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        reader, path, traced = args.child
        child(reader, Path(path), traced == "1")
        return
    print("rows        reader     time    peak RSS   tracemalloc peak")
    for n in args.rows:
        path = make_xlsx(n)
        for reader in ("ours", "calamine"):
            out = subprocess.run([sys.executable, __file__, "--child", reader, str(path), "0"],
                                 capture_output=True, text=True, check=True).stdout.split()
            traced = subprocess.run([sys.executable, __file__, "--child", reader, str(path), "1"],
                                    capture_output=True, text=True, check=True).stdout.split()
            print(f"{n:>9,}   {reader:<9} {float(out[1]):>6.2f} s {out[2]:>7} MB {traced[3]:>8} MB")


if __name__ == "__main__":
    main()
