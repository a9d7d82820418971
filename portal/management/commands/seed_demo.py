"""`manage.py seed_demo`: the demo city, as `make run` seeds it. Each app seeds its own part, in the
order the floors stand: territory and logins, registers, visits, cases, disputes. Idempotent."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disputes.demo.cases import seed_calendar, seed_demo_cases, seed_taxonomy
from disputes.demo.mediation import seed_demo_disputes, seed_dispute_config
from governance.demo_city import DEMO_LOGINS, seed_demo_city
from governance.models import RoleAssignment
from grids.demo import seed_demo_visits
from parties.demo import seed_demo_registers
from reports.registers import count_registers


def join_names(names: list[str]) -> str:
    """Node names for one line: 五大门社区第1网格, 五大门社区第2网格 → 五大门社区第1、2网格 (as the README
    writes it); names that differ more are listed whole, separated by 、."""
    if len(names) < 2:
        return "".join(names)
    prefix = os.path.commonprefix(names)
    suffix = os.path.commonprefix([n[::-1] for n in names])[::-1]
    middles = [n[len(prefix):len(n) - len(suffix)] for n in names]
    if prefix and suffix and all(m.isdigit() for m in middles):
        return prefix + "、".join(middles) + suffix
    return "、".join(names)


def login_territories() -> dict[str, str]:
    """{demo username: where its roles are held, as seeded} — the banner reads the assignments
    themselves, so it cannot drift from what seed_demo_city assigns (the demo grid worker covers two grids)."""
    names: dict[str, list[str]] = {}
    for username, name in (
        RoleAssignment.objects.filter(user__username__in=[d.username for d in DEMO_LOGINS])
        .order_by("user__username", "region_id")
        .values_list("user__username", "region__name")
    ):
        names.setdefault(username, []).append(name)
    return {username: join_names(found) for username, found in names.items()}


class Command(BaseCommand):
    help = "建立演示城市（营口市站前区：279 个网格、550 名网格员）并打印演示账号。可重复运行，不会重复创建。"

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            # Demo logins share a published password, and the demo registers are invented people.
            raise CommandError("生产环境（GRIDGOV_PRODUCTION=1）不能建立演示数据：演示账号共用公开的密码，"
                               "演示人口是虚构的。请在开发或测试环境中运行 seed_demo。")
        created = seed_demo_city()
        if any(created.values()):
            self.stdout.write(
                f"已创建：区划网格 {created['regions']} 个，用户 {created['users']} 个，角色授权 {created['assignments']} 条。"
            )
        else:
            self.stdout.write("演示城市已存在，未作改动。")
        registers, visits = seed_demo_registers(), seed_demo_visits()
        if any(registers.values()) or visits:
            self.stdout.write(
                f"已登记：实有人口 {registers['residents']} 人，房屋 {registers['houses']} 套，"
                f"单位 {registers['units']} 家，走访巡查 {visits} 条。"
            )
        # The dispute types before the cases: a case filed in a 矛盾纠纷 category is then a dispute on
        # the mediation desk with its risk assessment pending, as in a city that configured them.
        cats, days, config = seed_taxonomy(), seed_calendar(), seed_dispute_config()
        cases = seed_demo_cases()
        if cats or days or cases:
            self.stdout.write(f"已创建：事件类别 {cats} 个，工作日历 {days} 天，演示事件 {cases} 件。")
        disputes = seed_demo_disputes()
        if config or disputes:
            self.stdout.write(f"已创建：纠纷类型、风险标准和调解组织 {config} 项，演示纠纷 {disputes} 件。")
        # The dashboards' registers at a glance (recounted nightly by beat; now, so they show at once).
        count_registers()
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        where_of = login_territories()
        for login in DEMO_LOGINS:
            where = where_of.get(login.username, login.region_code)
            dept = f"（{login.department}）" if login.department else ""
            self.stdout.write(f"  {login.username:<16} {login.name:<6} {login.role.label} · {where}{dept}")
