from django.conf import settings
from django.core.management.base import BaseCommand

from governance.demo_city import DEMO_LOGINS, seed_demo_city
from governance.models import Region


class Command(BaseCommand):
    help = "建立演示城市（营口市站前区：279 个网格、550 名网格员）并打印演示账号。可重复运行，不会重复创建。"

    def handle(self, *args, **options) -> None:
        created = seed_demo_city()
        if any(created.values()):
            self.stdout.write(
                f"已创建：区划网格 {created['regions']} 个，用户 {created['users']} 个，角色授权 {created['assignments']} 条。"
            )
        else:
            self.stdout.write("演示城市已存在，未作改动。")
        from parties.demo import seed_demo_registers

        registers = seed_demo_registers()
        if any(registers.values()):
            self.stdout.write(
                f"已登记：实有人口 {registers['residents']} 人，房屋 {registers['houses']} 套，"
                f"单位 {registers['units']} 家，走访巡查 {registers['visits']} 条。"
            )
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        names = dict(Region.objects.filter(code__in=[d.region_code for d in DEMO_LOGINS]).values_list("code", "name"))
        for login in DEMO_LOGINS:
            where = names.get(login.region_code, login.region_code)
            dept = f"（{login.department}）" if login.department else ""
            self.stdout.write(f"  {login.username:<16} {login.name:<6} {login.role.label} · {where}{dept}")
