"""The world the permission matrix runs in: one user of every role in 站前区 (district A), and one
object of every kind that has a URL in grid_a (in scope for all of them) and in grid_b (西市区:
out of scope for everyone but the city leader).

    role key  user    held on
    gw        carol   grid worker, 五大门 grid 001
    cs        ivan    community staff, 五大门社区
    ps        pat     party secretary, 五大门社区
    so        alice   street officer, 八田地街道
    dc        dave    district centre, 站前区
    cl        erin    city leader, 营口市 (everything is in scope: out-of-scope rows do not apply)
    dh        heidi   department handler, 八田地派出所 (the in-scope case is dispatched to her)
    me        mona    mediator, 八田地街道 (the in-scope dispute is assigned to her)
    ad        adam    system administrator, 站前区
    sa        sam     security administrator, 站前区
    aa        alma    audit administrator, 站前区
    anon      —       not signed in
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from disputes.actions import cases as case_actions
from disputes.models import Dispute, ExportJob, RiskEntry
from disputes.tests.base import jpeg
from disputes.tests.dispute_base import DisputeTestCase
from governance.actions import do_issue_api_token
from governance.roles import Role
from governance.tests.base import make_user
from grids.actions import do_log_visit
from parties import actions as party_actions
from parties.tests.base import RegisterTestCase
from rosters.models import ImportJob

ROLES = ("gw", "cs", "ps", "so", "dc", "cl", "dh", "me", "ad", "sa", "aa", "anon")


def url_names() -> list[tuple[str, str]]:
    """(namespaced name, route) of every URL the site answers, but Django's admin (superusers only,
    covered by governance/tests/test_admin_site.py). One row per name: format-suffix variants share it."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield namespace + (p.name or f"<unnamed {prefix}{p.pattern}>"), prefix + str(p.pattern)

    seen: dict[str, str] = {}
    for name, route in walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        seen.setdefault(name, route)
    return sorted(seen.items())


class MatrixWorld(DisputeTestCase, RegisterTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.pat = make_user("pat", "帕特", Role.PARTY_SECRETARY, cls.wudamen)
        cls.adam = make_user("adam", "亚当", Role.ADMIN, cls.zhanqian)
        cls.sam = make_user("sam", "萨姆", Role.SECURITY_ADMIN, cls.zhanqian)
        cls.alma = make_user("alma", "阿尔玛", Role.AUDIT_ADMIN, cls.zhanqian)
        cls.users = {
            "gw": cls.carol, "cs": cls.ivan, "ps": cls.pat, "so": cls.alice, "dc": cls.dave, "cl": cls.erin,
            "dh": cls.heidi, "me": cls.mona, "ad": cls.adam, "sa": cls.sam, "aa": cls.alma,
            "anon": None,
        }
        cls.worlds = {"in": cls._objects(cls.grid_a, cls.wudamen, cls.alice, cls.carol), "out": cls._objects(
            cls.grid_b, cls.yushi, cls.bob, make_user("hank", "汉克", Role.GRID_WORKER, cls.grid_b))}

    @classmethod
    def _objects(cls, grid, community, officer, worker) -> dict[str, object]:
        """One of everything with a URL, in `grid`. Keys are the URL parameters they fill."""
        case = case_actions.do_file_case(
            actor=worker, grid=grid, category=cls.clutter, title="楼道堆放杂物", description="3号楼楼道堆放纸箱。",
            photos=[jpeg()],
        )
        case = case_actions.do_accept_case(actor=officer, case=case, version=case.version)
        if grid == cls.grid_a:  # dispatched to the police station, so heidi reaches it
            case = case_actions.do_assign_case(actor=officer, case=case, version=case.version, department=cls.police_a)
        dispute = cls.dispute(cls, actor=worker, grid=grid, people_count=8)
        dispute = Dispute.objects.select_related("case").get(pk=dispute.pk)
        if grid == cls.grid_a:
            case_actions.do_accept_case(actor=officer, case=dispute.case, version=dispute.case.version)
            dispute.case.refresh_from_db()
            case_actions.do_assign_case(actor=officer, case=dispute.case, version=dispute.case.version, assignee=cls.mona)
            dispute.case.refresh_from_db()  # the version the dispute's forms carry now
        resident = cls.zhang if grid == cls.grid_a else cls.wang
        if not resident.tags.exists():
            party_actions.do_set_resident_tag(actor=None, resident=resident, tag="刑满释放人员")
        house = cls.house_a if grid == cls.grid_a else cls.house_b
        unit = cls.shop if grid == cls.grid_a else cls.shop_b
        branch = party_actions.do_create_party_branch(actor=None, grid=grid, name=f"{grid.name}党支部")
        visit = do_log_visit(actor=worker, grid=grid, findings="入户走访，情况正常。", place="3号楼", photo=jpeg())
        job = ImportJob.objects.create(kind="residents", region=community, created_by=None, original_name="名册.xlsx")
        # An export belongs to whoever asked for it: the street officer of each world.
        export = ExportJob.objects.create(created_by=officer, region_code=community.parent.code, total=9000)
        return {
            "case": case, "dispute": dispute, "risk": RiskEntry.objects.get(dispute=dispute), "resident": resident,
            "house": house, "unit": unit, "branch": branch, "visit": visit, "job": job, "export": export,
            "photo": case.photos.first(), "party": dispute.parties.first(), "tag": resident.tags.first(),
            "api_token": do_issue_api_token(actor=None, user=worker)[0],
            "grid": grid, "community": community, "street": community.parent, "district": community.parent.parent,
        }
