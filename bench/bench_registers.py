"""Time the resident search and list pages on a generated register.

    python bench/generate_registers.py 1000000
    python bench/bench_registers.py            # prints a Markdown table of median times

Each page is requested through Django's test client (full stack: session, scope,
query, template), 20 times after one warm-up; the table gives the median and the
worst in milliseconds and the number of SQL queries.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from governance.models import User  # noqa: E402
from parties.demo import id_number_for, mobile_for  # noqa: E402
from parties.models import Resident  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))


def timed(client: Client, url: str) -> tuple[float, float, int]:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    times = []
    queries = 0
    for _ in range(REPEAT):
        reset_queries()
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        queries = len(connection.queries)
        assert r.status_code == 200
    return statistics.median(times), max(times), queries


def main() -> None:
    settings.DEBUG = True  # count queries
    settings.ALLOWED_HOSTS = ["*"]
    total = Resident.objects.count() if connection.vendor != "postgresql" else _estimate()
    sample = Resident.objects.filter(grid_id="210802003002004").order_by("id").select_related("house__building").first()
    last_id = Resident.objects.order_by("-id").values_list("id", flat=True).first()
    cases = [
        ("city_leader", "列表第 1 页（全市）", "/registers/residents/"),
        ("city_leader", "列表靠后的一页（全市，after=中间的 id）", f"/registers/residents/?after={last_id // 2}"),
        ("street_officer", "列表第 1 页（街道）", "/registers/residents/"),
        ("grid_worker", "列表第 1 页（网格员两个网格）", "/registers/residents/"),
        ("city_leader", "姓名前缀“张”（全市）", "/registers/residents/?name=%E5%BC%A0"),
        ("city_leader", "姓名前缀“欧阳”（罕见，全市）", "/registers/residents/?name=%E6%AC%A7%E9%98%B3"),
        ("street_officer", "姓名前缀“王秀”（街道）", "/registers/residents/?name=%E7%8E%8B%E7%A7%80"),
        ("city_leader", "身份证号精确（全市）", f"/registers/residents/?id_number={id_number_for(10_000_000 + 12345)}"),
        ("city_leader", "电话精确（全市）", f"/registers/residents/?phone={mobile_for(10_000_000 + 54321)}"),
        ("city_leader", "标签：社区矫正（全市）", "/registers/residents/?tag=community_correction"),
    ]
    if sample and sample.house:
        cases.append(("street_officer", "住址：楼栋+房号（街道）",
                      f"/registers/residents/?building={sample.house.building.name}&room={sample.house.room}"))
        cases.append(("city_leader", "人员详情页", f"/registers/residents/{sample.pk}/"))
    print(f"数据库：{connection.vendor}；实有人口约 {total:,} 人；每项 {REPEAT} 次取中位数\n")
    print("| 用户 | 页面 | 中位数 ms | 最慢 ms | SQL 条数 |")
    print("|---|---|---:|---:|---:|")
    clients: dict[str, Client] = {}
    for username, label, url in cases:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        median, worst, queries = timed(clients[username], url)
        print(f"| {username} | {label} | {median:.1f} | {worst:.1f} | {queries} |", flush=True)


def explain() -> None:
    """EXPLAIN ANALYZE of the list queries behind three pages (PostgreSQL), for the README."""
    from parties.selectors import ResidentSearch, resident_queryset

    for username, label, search in [
        ("grid_worker", "网格员列表", ResidentSearch()),
        ("city_leader", "全市姓名前缀“欧阳”", ResidentSearch(name="欧阳")),
        ("city_leader", "全市身份证号精确", ResidentSearch(id_number=id_number_for(10_000_000 + 12345))),
    ]:
        user = User.objects.get(username=username)
        qs = resident_queryset(user, search).prefetch_related(None).order_by("-pk")[:51]
        plan = qs.explain(analyze=True)
        print(f"\n-- {label}\n{plan}")


def _estimate() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'parties_resident'")
        return int(cur.fetchone()[0])


if __name__ == "__main__":
    main()
    if connection.vendor == "postgresql" and "--explain" in sys.argv:
        explain()
