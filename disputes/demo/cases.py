"""Demo data for cases: the category taxonomy with time limits, this year's holidays and
调休 make-up workdays, and a few dozen cases across the loop in 八田地街道. Idempotent."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from disputes.actions import cases as actions
from disputes.models import CalendarDay, Case, CaseKind, Category, Stage, TimeLimit, TimeUnit, Urgency
from governance.models import Department, Region, User
from parties.models import Resident

# (code, name, [(sub code, sub name)], {stage: (amount, unit)})
TAXONOMY: list[tuple[str, str, list[tuple[str, str]], dict]] = [
    ("01", "矛盾纠纷", [("0101", "邻里纠纷"), ("0102", "婚姻家庭"), ("0103", "物业纠纷"), ("0104", "劳动争议"), ("0105", "消费纠纷")],
     {Stage.ACCEPT: (2, TimeUnit.HOURS), Stage.HANDLE: (5, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("02", "治安隐患", [("0201", "可疑人员"), ("0202", "群租房"), ("0203", "治安防范设施缺失")],
     {Stage.ACCEPT: (1, TimeUnit.HOURS), Stage.HANDLE: (3, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("03", "安全生产", [("0301", "违规动火"), ("0302", "危化品存放"), ("0303", "有限空间作业")],
     {Stage.ACCEPT: (1, TimeUnit.HOURS), Stage.HANDLE: (2, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("04", "消防", [("0401", "堵塞消防通道"), ("0402", "楼道堆物"), ("0403", "电动车违规充电"), ("0404", "消防设施损坏")],
     {Stage.ACCEPT: (1, TimeUnit.HOURS), Stage.HANDLE: (8, TimeUnit.HOURS), Stage.VERIFY: (4, TimeUnit.HOURS)}),
    ("05", "环境卫生", [("0501", "垃圾堆积"), ("0502", "乱贴小广告"), ("0503", "污水外溢")],
     {Stage.ACCEPT: (4, TimeUnit.HOURS), Stage.HANDLE: (2, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("06", "市政设施", [("0601", "路灯损坏"), ("0602", "井盖缺失"), ("0603", "道路破损"), ("0604", "供水供暖")],
     {Stage.ACCEPT: (4, TimeUnit.HOURS), Stage.HANDLE: (3, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("07", "食药安全", [("0701", "无证经营"), ("0702", "过期食品")],
     {Stage.ACCEPT: (2, TimeUnit.HOURS), Stage.HANDLE: (3, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("08", "特殊人群", [("0801", "社区矫正人员异常"), ("0802", "严重精神障碍患者异常"), ("0803", "留守空巢老人需帮扶")],
     {Stage.ACCEPT: (1, TimeUnit.HOURS), Stage.HANDLE: (1, TimeUnit.DAYS), Stage.VERIFY: (1, TimeUnit.DAYS)}),
    ("09", "民生服务", [("0901", "社会救助"), ("0902", "就业求助"), ("0903", "证照代办")],
     {Stage.ACCEPT: (1, TimeUnit.DAYS), Stage.HANDLE: (5, TimeUnit.DAYS), Stage.VERIFY: (2, TimeUnit.DAYS)}),
    ("99", "其他", [("9901", "其他事项")],
     {Stage.ACCEPT: (1, TimeUnit.DAYS), Stage.HANDLE: (5, TimeUnit.DAYS), Stage.VERIFY: (2, TimeUnit.DAYS)}),
]

# 2026 public holidays and make-up workdays, as in 国务院办公厅关于2026年部分节假日安排的通知
# (dated 2025-11-04, published by Xinhua the same day; checked against that text, pinned in
# disputes/tests/test_calendar.py). An admin keeps later years current in the admin.
HOLIDAYS_2026 = [
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-07", "国庆节"),
]
WORKDAYS_2026 = [
    ("2026-01-04", "元旦调休"), ("2026-02-14", "春节调休"), ("2026-02-28", "春节调休"),
    ("2026-05-09", "劳动节调休"), ("2026-09-20", "国庆节调休"), ("2026-10-10", "国庆节调休"),
]


def seed_taxonomy() -> int:
    created = 0
    for sort, (code, name, subs, limits) in enumerate(TAXONOMY):
        top, made = Category.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
        created += made
        for stage, (amount, unit) in limits.items():
            TimeLimit.objects.get_or_create(category=top, stage=stage, defaults={"amount": amount, "unit": unit})
        for i, (sub_code, sub_name) in enumerate(subs):
            _, made = Category.objects.get_or_create(
                code=sub_code, defaults={"name": sub_name, "parent": top, "sort": i}
            )
            created += made
    return created


def seed_calendar() -> int:
    rows = []
    for first, last, note in HOLIDAYS_2026:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            rows.append(CalendarDay(date=day, kind=CalendarDay.Kind.HOLIDAY, note=note))
            day += timedelta(days=1)
    rows += [CalendarDay(date=date.fromisoformat(d), kind=CalendarDay.Kind.WORKDAY, note=n) for d, n in WORKDAYS_2026]
    before = CalendarDay.objects.count()
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    return CalendarDay.objects.count() - before


DEMO_CASES = [
    ("0402", "3号楼楼道堆放纸箱杂物"), ("0403", "电动车在楼道内充电"), ("0601", "小区南门路灯不亮"),
    ("0602", "人行道井盖缺失"), ("0501", "垃圾站周边垃圾堆积"), ("0101", "楼上漏水引发邻里争执"),
    ("0103", "物业费收取争议"), ("0502", "单元门乱贴小广告"), ("0202", "疑似群租房"), ("0803", "独居老人需要帮扶"),
    ("0603", "道路坑洼积水"), ("0701", "流动摊贩无证经营"), ("0401", "私家车占用消防通道"), ("0604", "暖气不热"),
    ("0105", "预付卡退费纠纷"), ("0503", "化粪池污水外溢"),
]


def seed_demo_cases() -> int:
    """A few dozen cases in 八田地街道, spread over every state of the loop (once); a few of them
    linked to registered residents (also once, for a database seeded before the links existed)."""
    made = _seed_cases()
    link_demo_cases()
    return made


@transaction.atomic
def link_demo_cases(per_grid: int = 3) -> int:
    """Link the oldest few plain demo cases of each demo grid to a registered resident of that grid (once)."""
    street = "210802001"
    cases = Case.objects.filter(grid__code__startswith=street, kind=CaseKind.CASE)
    if cases.filter(residents__isnull=False).exists():
        return 0
    linked = 0
    for code in ("210802001001001", "210802001001002"):
        people = list(Resident.objects.filter(grid_id=code).order_by("id")[:per_grid])
        for case, person in zip(cases.filter(grid_id=code).order_by("id")[:per_grid], people):
            case.residents.add(person)
            linked += 1
    return linked


@transaction.atomic
def _seed_cases() -> int:
    street = "210802001"
    if Case.objects.filter(grid__code__startswith=street).exists():
        return 0
    try:
        worker = User.objects.get(username="grid_worker")
        officer = User.objects.get(username="street_officer")
        handler = User.objects.get(username="dept_handler")
    except User.DoesNotExist:
        return 0
    police = Department.objects.filter(region_id=street, kind="police").first()
    cats = {c.code: c for c in Category.objects.all()}
    grids = list(Region.objects.filter(code__in=["210802001001001", "210802001001002"]))
    rng = random.Random(2026)
    now = timezone.now()
    made = 0
    for i in range(32):
        code, title = DEMO_CASES[i % len(DEMO_CASES)]
        grid = grids[i % len(grids)]
        lat = float(grid.centre_lat) + rng.uniform(-0.001, 0.001)
        lng = float(grid.centre_lng) + rng.uniform(-0.001, 0.001)
        filed_at = now - timedelta(hours=rng.randint(1, 24 * 20))
        kw = dict(actor=worker, category=cats[code], grid=grid, title=title, description=f"{title}，请尽快处理。",
                  urgency=Urgency.URGENT if i % 7 == 0 else Urgency.NORMAL, address=f"{grid.name}{i % 9 + 1}号楼",
                  lat=lat, lng=lng, now=filed_at)
        stage = i % 8
        if stage == 7 and kw["urgency"] == Urgency.NORMAL:
            actions.do_file_case(self_handle=True, evidence_note="已当场劝导清理。", evidence=[],
                                 photos=[_demo_photo()], **kw)
            made += 1
            continue
        case = actions.do_file_case(**kw)
        made += 1
        if case.kind != CaseKind.CASE:
            continue  # a 矛盾纠纷 category with the dispute types configured: on the mediation desk, risk pending
        if stage == 0:
            continue  # reported (some overdue)
        if stage == 1:
            actions.do_reject_case(actor=officer, case=case, version=case.version, reason="不属于受理范围，已告知当事人。")
            continue
        case = actions.do_accept_case(actor=officer, case=case, version=case.version)
        if stage == 2:
            continue
        if stage in (3, 4) and police:
            case = actions.do_assign_case(actor=officer, case=case, version=case.version, department=police)
        else:
            case = actions.do_assign_case(actor=officer, case=case, version=case.version, assignee=worker)
        if stage == 3:
            continue
        who = handler if case.department_id else worker
        case = actions.do_handle_case(actor=who, case=case, version=case.version, note="已到现场处置完毕。")
        if stage == 4:
            continue
        case = actions.do_verify_case(actor=worker, case=case, version=case.version, fixed=True, note="复核已解决。")
        if stage == 6:
            actions.do_rate_case(actor=worker, case=case, version=case.version, rating=rng.randint(3, 5))
    # Make a few open cases overdue, as if they had been filed long ago.
    for case in Case.objects.filter(grid__code__startswith=street, status__in=["reported", "accepted"])[:4]:
        Case.objects.filter(pk=case.pk).update(deadline=now - timedelta(hours=rng.randint(2, 40)))
    return made


def _demo_photo():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 90)).save(buf, "JPEG")
    return SimpleUploadedFile("demo.jpg", buf.getvalue(), content_type="image/jpeg")
