"""The registers at a glance (reports.models.RegisterTally): counted once for every node, read cheaply.

`count_registers` counts each register by grid (or by community for the community-level
registers: 双报到, 共驻共建) with one GROUP BY per source, adds every grid's figures up to its
community, street, district and city in Python, and replaces the tallies in one transaction: a
city of 10 M residents costs a dozen index scans once a night, not one per page view. Like
`disputes.summaries.rebuild_month` it writes derived rows only (no audit row: nothing a person did).
`tallies_of(region)` reads a node's figures and its children's in one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Region
from governance.roles import CODE_LENGTH
from parties.models import (
    SPECIAL_GROUP_TAGS,
    CoBuildingAgreement,
    House,
    InServiceMember,
    PartyBranch,
    PartyCenterHousehold,
    PartyMember,
    Resident,
    ResidentTag,
    TagKind,
    Unit,
)
from reports.models import RegisterTally

TAG_PREFIX = "tag:"
# The figures, in the order the dashboard shows them (tags follow as tag:<TagKind>).
METRICS = {
    "residents": _("实有人口"),
    "key_persons": _("重点人员（特殊人群）"),
    "houses": _("实有房屋"),
    "units": _("实有单位"),
    "party_branches": _("网格党支部"),
    "party_members": _("党员"),
    "center_households": _("党员中心户"),
    "in_service_members": _("双报到在职党员"),
    "co_building_units": _("共驻共建单位"),
}
WIDTHS = sorted(CODE_LENGTH.values())


def _by(qs, key: str, **count) -> dict[str, int]:
    """{territory code: n} from one GROUP BY."""
    agg = count or {"n": Count("pk")}
    return {row[key]: row["n"] for row in qs.order_by().values(key).annotate(**agg)}


def _leaf_counts(today) -> dict[str, dict[str, int]]:
    """{metric: {grid or community code: n}}."""
    active_tags = ResidentTag.objects.filter(removed_at__isnull=True)
    counts = {
        "residents": _by(Resident.objects.all(), "grid_id"),
        "key_persons": _by(active_tags.filter(tag__in=SPECIAL_GROUP_TAGS), "resident__grid_id",
                           n=Count("resident_id", distinct=True)),
        "houses": _by(House.objects.all(), "grid_id"),
        "units": _by(Unit.objects.all(), "grid_id"),
        "party_branches": _by(PartyBranch.objects.all(), "grid_id"),
        "party_members": _by(PartyMember.objects.all(), "grid_id"),
        "center_households": _by(PartyCenterHousehold.objects.all(), "grid_id"),
        "in_service_members": _by(InServiceMember.objects.all(), "community_id"),
        "co_building_units": _by(
            CoBuildingAgreement.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)),
            "community_id", n=Count("unit_id", distinct=True)),
    }
    by_tag: dict[str, dict[str, int]] = defaultdict(dict)
    rows = active_tags.order_by().values("resident__grid_id", "tag").annotate(n=Count("resident_id", distinct=True))
    for row in rows:
        by_tag[TAG_PREFIX + row["tag"]][row["resident__grid_id"]] = row["n"]
    counts.update(by_tag)
    return counts


def roll_up(leaves: dict[str, int]) -> dict[str, int]:
    """{code: n} for every node above (and at) the leaves' codes."""
    out: dict[str, int] = defaultdict(int)
    for code, n in leaves.items():
        for width in WIDTHS:
            if width <= len(code):
                out[code[:width]] += n
    return out


@transaction.atomic
def count_registers(now: datetime | None = None) -> dict[str, int]:
    """Recount every node's register figures and replace the tallies."""
    now = now or timezone.now()
    known = set(Region.objects.values_list("code", flat=True))
    rows = []
    for metric, leaves in _leaf_counts(timezone.localtime(now).date()).items():
        for code, n in roll_up(leaves).items():
            if n and code in known:
                rows.append(RegisterTally(node_id=code, metric=metric, value=n, counted_at=now))
    RegisterTally.objects.all().delete()
    RegisterTally.objects.bulk_create(rows, batch_size=5000)
    return {"rows": len(rows)}


@dataclass
class Tallies:
    """A node's register figures and its children's (missing: 0), and when they were counted."""

    own: dict[str, int] = field(default_factory=dict)
    children: dict[str, dict[str, int]] = field(default_factory=dict)
    counted_at: datetime | None = None

    def get(self, metric: str) -> int:
        return self.own.get(metric, 0)

    def tags(self) -> list[tuple[str, str, int]]:
        """(tag key, label, n) of the tags held in the node, in TagKind order."""
        return [(key, str(label), self.own[TAG_PREFIX + key]) for key, label in TagKind.choices
                if self.own.get(TAG_PREFIX + key)]


def tallies_of(region: Region) -> Tallies:
    """One query: the tallies of `region` and of its children."""
    out = Tallies()
    for node_id, metric, value, counted_at in RegisterTally.objects.filter(
        Q(node=region) | Q(node__parent=region)
    ).values_list("node_id", "metric", "value", "counted_at"):
        if node_id == region.code:
            out.own[metric] = value
        else:
            out.children.setdefault(node_id, {})[metric] = value
        out.counted_at = counted_at if out.counted_at is None else max(out.counted_at, counted_at)
    return out
