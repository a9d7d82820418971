"""Demo and benchmark data for the registers: plausible residents, houses, units and
party organisation, generated deterministically and written in bulk (the visits to them
are grids.demo's).

ID numbers are built with real check characters. Their address codes (210804,
210811…) differ from the sample rosters' (210802), so importing those files into
the demo city never collides with generated people.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from governance.actions import record_audit
from governance.demo_city import SURNAMES
from governance.models import Region, User
from parties import pii
from parties.idnumbers import check_char
from parties.models import (
    Building,
    CoBuildingAgreement,
    House,
    HouseUse,
    InServiceMember,
    JointMeeting,
    PartyBranch,
    PartyCenterHousehold,
    PartyGroup,
    PartyMember,
    PoliticalStatus,
    ResidencyType,
    Resident,
    ResidentTag,
    TagKind,
    Unit,
    UnitKind,
)
from parties.validators import credit_check_char

GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉梅红志文春燕海波鹏辉宇晨欣颖浩然子轩梓涵俊博雪婷佳琪淑凤玲"
AREA_CODES = ("210804", "210811", "210881", "210882", "210803")
FIRST_BIRTH = date(1936, 1, 1)
BIRTH_DAYS = 31000  # about 85 years of birth dates
ETHNICITY_WEIGHTS = (("汉族", 90), ("满族", 6), ("回族", 2), ("朝鲜族", 1), ("蒙古族", 1))
POLITICAL_WEIGHTS = ((PoliticalStatus.MASSES, 80), (PoliticalStatus.CPC_MEMBER, 9), (PoliticalStatus.CPC_PROBATIONARY, 1),
                     (PoliticalStatus.CYL_MEMBER, 10))
RESIDENCY_WEIGHTS = ((ResidencyType.REGISTERED, 78), (ResidencyType.FLOATING, 20), (ResidencyType.OVERSEAS, 2))
USE_WEIGHTS = ((HouseUse.OWNER, 70), (HouseUse.RENTED, 18), (HouseUse.VACANT, 8), (HouseUse.COMMERCIAL, 4))


ID_SPACE = len(AREA_CODES) * BIRTH_DAYS * 1000
ID_STRIDE = 1_000_003  # a prime not dividing ID_SPACE: index → index × stride mod space is a bijection


def id_number_for(index: int) -> str:
    """The index-th generated ID number: unique for every index below ID_SPACE (155 million);
    neighbouring indexes get unrelated birth dates, sexes and areas."""
    n = (index * ID_STRIDE) % ID_SPACE
    area = AREA_CODES[n // (BIRTH_DAYS * 1000)]
    born = FIRST_BIRTH + timedelta(days=n % BIRTH_DAYS)
    seq = (n // BIRTH_DAYS) % 1000
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mobile_for(index: int) -> str:
    prefix = ("138", "139", "150", "151", "186", "187", "135", "177", "199", "133")[index % 10]
    return f"{prefix}{(index * 7919) % 100_000_000:08d}"


def credit_code_for(index: int, area: str = "210802") -> str:
    first17 = f"91{area}MA{index:07d}"[:17]
    first17 = first17.replace("I", "1").replace("O", "0")
    return first17 + credit_check_char(first17)


def weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def resident_row(rng: random.Random, index: int, grid_code: str, house_id: int | None) -> Resident:
    number = id_number_for(index)
    phone = mobile_for(index) if rng.random() < 0.9 else ""
    number_hash = pii.blind_index(number)
    return Resident(
        grid_id=grid_code, house_id=house_id, name=person_name(rng),
        id_number_encrypted=pii.encrypt(number, aad=pii.aad(Resident, "id_number_encrypted", number_hash)),
        id_number_hash=number_hash,
        gender="M" if int(number[16]) % 2 else "F", birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        phone_encrypted=pii.encrypt(phone, aad=pii.aad(Resident, "phone_encrypted", number_hash)),
        phone_hash=pii.blind_index(phone),
        ethnicity=weighted(rng, ETHNICITY_WEIGHTS), political_status=weighted(rng, POLITICAL_WEIGHTS),
        residency_type=weighted(rng, RESIDENCY_WEIGHTS),
    )


DEMO_GRIDS = ("210802001001001", "210802001001002")
DEMO_RESIDENTS_PER_GRID = 180


@transaction.atomic
def seed_demo_registers(grid_codes=DEMO_GRIDS, residents_per_grid: int = DEMO_RESIDENTS_PER_GRID) -> dict[str, int]:
    """Registers for the demo grid worker's grids. Grids that already have residents are left alone."""
    rng = random.Random(11643)
    created = {"residents": 0, "houses": 0, "units": 0}
    grids = {g.code: g for g in Region.objects.filter(code__in=grid_codes)}
    worker = User.objects.filter(username="grid_worker").first()
    for n, code in enumerate(grid_codes):
        grid = grids.get(code)
        if grid is None or Resident.objects.filter(grid=grid).exists():
            continue
        buildings = Building.objects.bulk_create(
            [Building(grid=grid, name=f"{b}号楼", address=f"{grid.parent.name}{b}号楼", floors=6) for b in range(1, 7)]
        )
        houses = House.objects.bulk_create([
            House(grid=grid, building=b, unit_no=f"{u}单元", room=f"{f}0{r}", use=weighted(rng, USE_WEIGHTS))
            for b in buildings for u in (1, 2) for f in range(1, 7) for r in (1, 2)
        ])
        base = 1_000_000 * (n + 1) + int(code[-6:]) * 10
        residents = Resident.objects.bulk_create(
            [resident_row(rng, base + i, code, houses[i % len(houses)].id) for i in range(residents_per_grid)]
        )
        tags = [ResidentTag(resident=r, tag=rng.choice(TagKind.values), set_by=worker, note="走访核实")
                for r in rng.sample(residents, k=max(1, len(residents) // 8))]
        ResidentTag.objects.bulk_create(tags)
        units = Unit.objects.bulk_create([
            Unit(grid=grid, name=name, kind=kind, credit_code=credit_code_for(base + k),
                 address=f"{grid.parent.name}临街{k + 1}号", contact_name=person_name(rng),
                 contact_phone_encrypted=pii.encrypt(mobile_for(base + 500 + k), aad=pii.aad(
                     Unit, "contact_phone_encrypted", pii.blind_index(mobile_for(base + 500 + k)))),
                 contact_phone_hash=pii.blind_index(mobile_for(base + 500 + k)), employees=rng.randint(2, 80))
            for k, (name, kind) in enumerate([
                (f"{grid.name}便民超市", UnitKind.SHOP), (f"营口{grid.parent.name}物业服务有限公司", UnitKind.ENTERPRISE),
                (f"{grid.parent.name}幼儿园", UnitKind.SCHOOL), (f"站前区第{n + 1}卫生服务站", UnitKind.HOSPITAL),
                (f"{grid.parent.name}志愿者协会", UnitKind.SOCIAL_ORG), (f"国网营口供电公司{grid.parent.name}供电所", UnitKind.RESIDENT_UNIT),
            ])
        ])
        members = [r for r in residents if r.political_status in (PoliticalStatus.CPC_MEMBER, PoliticalStatus.CPC_PROBATIONARY)]
        branch = PartyBranch.objects.create(
            grid=grid, name=f"{grid.parent.name}{grid.name.removeprefix(grid.parent.name)}党支部",
            secretary=members[0] if members else None, established_on=date(2021, 7, 1),
        )
        groups = PartyGroup.objects.bulk_create([
            PartyGroup(grid=grid, branch=branch, name=f"{b.name}党小组", building=b) for b in buildings[:3]
        ])
        party_members = PartyMember.objects.bulk_create([
            PartyMember(grid=grid, resident=r, branch=branch, group=groups[i % len(groups)],
                        joined_on=date(rng.randint(1970, 2022), rng.randint(1, 12), 1),
                        probationary=r.political_status == PoliticalStatus.CPC_PROBATIONARY)
            for i, r in enumerate(members)
        ])
        for m in party_members[:3]:
            house = next(h for h in houses if h.id == m.resident.house_id)
            center = PartyCenterHousehold.objects.create(grid=grid, member=m, house=house)
            center.linked_houses.set([h for h in houses if h.building_id == house.building_id and h.id != house.id][:10])
        community = grid.parent
        if not InServiceMember.objects.filter(community=community).exists():
            for k in range(4):
                phone = mobile_for(base + 900 + k)
                member = InServiceMember.objects.create(
                    community=community, grid=grid, name=person_name(rng),
                    employer=rng.choice(["站前区人民法院", "营口市税务局", "站前区教育局", "营口港务集团"]),
                    party_org="机关党支部", registered_on=date(2025, 3, 1 + k),
                    service=rng.choice(["政策宣讲", "法律咨询", "助老服务", "环境整治"]),
                )
                member.phone_encrypted = pii.encrypt(phone, aad=member.pii_aad("phone_encrypted"))  # bound to the pk
                member.save(update_fields=["phone_encrypted"])
            agreement = CoBuildingAgreement.objects.create(
                community=community, unit=units[5], title="共驻共建协议（2026 年度）", signed_on=date(2026, 1, 10),
                valid_until=date(2026, 12, 31), content="共建党员活动阵地，共同开展志愿服务和安全隐患排查。",
            )
            meeting = JointMeeting.objects.create(
                community=community, held_on=date(2026, 3, 15), title="第一季度党建联席会",
                attendees="社区党委书记、网格党支部书记、共建单位代表",
                minutes="一、通报一季度网格走访情况；\n二、共建单位认领服务项目 6 项；\n三、部署春季消防安全检查。",
            )
            meeting.units.set([agreement.unit, units[1]])
        created["residents"] += len(residents)
        created["houses"] += len(houses)
        created["units"] += len(units)
        record_audit(actor=None, action="demo.seed_registers", target=grid, region_code=code, detail=created)
    return created
